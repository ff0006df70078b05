import {
  createLogger,
  migrateSubgraph,
  openSubgraphDatabase,
  type Env,
  type SeedRefs,
  type SubgraphDefinition,
} from '@fedstack/kit';
import { SUBGRAPHS } from '../../subgraphs';
import { defineOrderModel } from '../../../subgraphs/orders/src/models/Order';
import { defineSupplierModel } from '../../../subgraphs/suppliers/src/models/Supplier';
import { hashPassword } from '../../../subgraphs/users/src/auth/passwords';
import { defineModels } from '../../../subgraphs/users/src/models';

/** How much data the stack bench loads; the defaults are the realistic size it is judged at. */
export interface BenchDataSize {
  /** Generated accounts besides the development seed; default 1 000. */
  users: number;
  /** Generated suppliers; default 200. */
  suppliers: number;
  /** Generated orders; default 20 000. */
  orders: number;
}

export const DEFAULT_BENCH_DATA: BenchDataSize = { users: 1000, suppliers: 200, orders: 20_000 };

/** The password of every generated account. */
export const BENCH_PASSWORD = 'bench-password-1';

/** What the bench needs to know about the data it loaded. */
export interface BenchData {
  size: BenchDataSize;
  refs: SeedRefs;
  /** Generated accounts, in id order: `{ id, username }`. */
  users: Array<{ id: string; username: string }>;
  supplierIds: string[];
  /** A generated account with exactly 5 orders, and one with exactly 50. */
  fewOrdersUser: { id: string; username: string };
  manyOrdersUser: { id: string; username: string };
}

/** Rows per INSERT: large enough to be fast, small enough for SQLite's variable limit. */
const CHUNK = 500;

/** A small deterministic generator, so that every run loads the same data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Migrates each subgraph's database under `env` (its `DATA_DIR` or `<NAME>_DATABASE_URL`), loads
 * the development seed (admin, alice, bob), then bulk-inserts the generated users, suppliers and
 * orders. The generated accounts all share one argon2 hash of `BENCH_PASSWORD`, computed once:
 * hashing 1 000 passwords would take minutes and measure nothing.
 */
export async function seedBenchData(
  env: Env,
  size: BenchDataSize = DEFAULT_BENCH_DATA,
): Promise<BenchData> {
  if (size.users < 2 || size.orders < 55 + (size.users - 2)) {
    throw new Error(
      `bench data needs at least 2 users and enough orders for 5, 50 and 1 each, got ${JSON.stringify(size)}`,
    );
  }
  const random = prng(20261130);
  const silentLogger = createLogger({ service: 'bench', level: 'silent', format: 'json' });
  let refs: SeedRefs = {};
  const data: Partial<BenchData> = { size };
  const definitions = SUBGRAPHS as SubgraphDefinition[];
  for (const definition of definitions) {
    const db = await openSubgraphDatabase(definition.readConfig(env));
    try {
      await migrateSubgraph(definition, db);
      refs = await definition.seed(db, refs, silentLogger);
      if (definition.name === 'users') {
        const { User } = defineModels(db.sequelize);
        const passwordHash = await hashPassword(BENCH_PASSWORD);
        const now = new Date();
        const rows = Array.from({ length: size.users }, (_, i) => {
          const username = `bench${String(i).padStart(5, '0')}`;
          return {
            username,
            usernameKey: username,
            email: `${username}@example.com`,
            role: 'USER' as const,
            passwordHash,
            createdAt: now,
            updatedAt: now,
          };
        });
        for (const part of chunks(rows)) {
          await db.write((transaction) => User.bulkCreate(part, { transaction, validate: false }));
        }
        const stored = await User.findAll({
          attributes: ['id', 'username'],
          where: { usernameKey: rows.map((row) => row.usernameKey) },
          order: [['id', 'ASC']],
        });
        data.users = stored.map((user) => ({ id: String(user.id), username: user.username }));
      } else if (definition.name === 'suppliers') {
        const Supplier = defineSupplierModel(db.sequelize);
        const users = data.users ?? [];
        const rows = Array.from({ length: size.suppliers }, (_, i) => ({
          name: `Supplier ${i}`,
          surname: `Bench`,
          address: `${i} Bench Street`,
          createdById: users[i % users.length]?.id ?? null,
        }));
        const ids: string[] = [];
        for (const part of chunks(rows)) {
          const created = await db.write((transaction) =>
            Supplier.bulkCreate(part, { transaction, validate: false }),
          );
          ids.push(...created.map((supplier) => String(supplier.id)));
        }
        data.supplierIds = ids;
      } else if (definition.name === 'orders') {
        const Order = defineOrderModel(db.sequelize);
        const users = data.users ?? [];
        const suppliers = data.supplierIds ?? [];
        // Two accounts with a known number of orders; the rest share the remainder evenly.
        const counts = users.map(() => 0);
        counts[0] = 5;
        counts[1] = 50;
        let left = size.orders - 55;
        for (let i = 2; left > 0; i = i + 1 >= users.length ? 2 : i + 1) {
          counts[i] = (counts[i] ?? 0) + 1;
          left -= 1;
        }
        const owners = counts.flatMap((count, i) => Array.from({ length: count }, () => i));
        // Interleave owners, as orders arrive over time, so that no user's rows are contiguous.
        for (let i = owners.length - 1; i > 0; i -= 1) {
          const j = Math.floor(random() * (i + 1));
          [owners[i], owners[j]] = [owners[j] ?? 0, owners[i] ?? 0];
        }
        const rows = owners.map((owner, i) => ({
          userId: users[owner]?.id ?? '',
          supplierId: suppliers.length === 0 ? null : (suppliers[i % suppliers.length] ?? null),
          item: `Item ${i}`,
          quantity: 1 + (i % 9),
        }));
        for (const part of chunks(rows)) {
          await db.write((transaction) => Order.bulkCreate(part, { transaction, validate: false }));
        }
      }
    } finally {
      await db.close();
    }
  }
  const [few, many] = data.users ?? [];
  if (!few || !many || !data.users || !data.supplierIds) {
    throw new Error('bench data: the generated users or suppliers were not stored');
  }
  return {
    size,
    refs,
    users: data.users,
    supplierIds: data.supplierIds,
    fewOrdersUser: few,
    manyOrdersUser: many,
  };
}
