import {
  badUserInput,
  forbidden,
  isAdmin,
  isSelfOrAdmin,
  notFound,
  parseId,
  readId,
  readText,
  requireViewer,
  type Viewer,
} from '@fedstack/kit';
import type { Transaction } from 'sequelize';
import type { Context } from '../index';
import type { MutationResolvers, UpdateSupplierInput } from '../generated/graphql';
import type { Supplier } from '../models/Supplier';

/** The longest value, in characters after trimming, of each text column. */
const MAX_LENGTH = { name: 100, surname: 100, address: 300 } as const;
type TextField = keyof typeof MAX_LENGTH;
const TEXT_FIELDS = Object.keys(MAX_LENGTH) as TextField[];

function readField(field: TextField, value: string): string {
  return readText(`input.${field}`, value, { min: 1, max: MAX_LENGTH[field] });
}

/** The columns an update sets: omitted fields are kept; an explicit null cannot be stored. */
function readChanges(input: UpdateSupplierInput): Partial<Record<TextField, string>> {
  const changes: Partial<Record<TextField, string>> = {};
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value === null) {
      throw badUserInput(`input.${field}`, 'must not be null; omit it to keep the current value');
    }
    changes[field] = readField(field, value);
  }
  return changes;
}

/**
 * Finds the supplier `id` for a change by `caller`: NOT_FOUND when it does not exist, FORBIDDEN
 * when it does but the caller neither created it nor is an admin (suppliers are public, so there
 * is nothing to hide by answering NOT_FOUND).
 */
async function findChangeable(
  { models }: Context,
  caller: Viewer,
  id: string,
  transaction: Transaction,
): Promise<Supplier> {
  const key = parseId(readId('id', id));
  const supplier = key === null ? null : await models.Supplier.findByPk(key, { transaction });
  if (!supplier) throw notFound('Supplier', id);
  const allowed =
    supplier.createdById === null ? isAdmin(caller) : isSelfOrAdmin(caller, supplier.createdById);
  if (!allowed) throw forbidden('Only its creator or an admin may change a supplier');
  return supplier;
}

export const Mutation: MutationResolvers = {
  async createSupplier(_parent, { input }, { viewer, db, models, loaders }) {
    const caller = requireViewer(viewer);
    const values = {
      name: readField('name', input.name),
      surname: readField('surname', input.surname),
      address: readField('address', input.address),
    };
    const supplier = await db.write((transaction) =>
      models.Supplier.create({ ...values, createdById: caller.id }, { transaction }),
    );
    loaders.supplierById.prime(String(supplier.id), supplier);
    return supplier;
  },

  async updateSupplier(_parent, { id, input }, context) {
    const caller = requireViewer(context.viewer);
    const changes = readChanges(input);
    const supplier = await context.db.write(async (transaction) => {
      const found = await findChangeable(context, caller, id, transaction);
      return found.update(changes, { transaction });
    });
    context.loaders.supplierById.clear(id).prime(id, supplier);
    return supplier;
  },

  async deleteSupplier(_parent, { id }, context) {
    const caller = requireViewer(context.viewer);
    await context.db.write(async (transaction) => {
      const found = await findChangeable(context, caller, id, transaction);
      await found.destroy({ transaction });
    });
    context.loaders.supplierById.clear(id).prime(id, null);
    return true;
  },
};
