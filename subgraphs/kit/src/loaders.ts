import DataLoader from 'dataloader';
import {
  DataTypes,
  QueryTypes,
  type Attributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';
import { parseId, type Page } from './validation';

/**
 * Loaders read through plain SQL on `sequelize.query`, one statement per batch, and hand resolvers
 * plain rows: Sequelize's `findAll` takes about twice the CPU for the same statement, and a model
 * instance costs several times the row. What a statement selects and how its rows are read come
 * from the model itself, so no subgraph writes a column list out.
 */

/** A model's attributes as a plain object, less those a loader leaves out. */
export type LoadedRow<M extends Model, K extends keyof Attributes<M> = never> = Omit<
  Attributes<M>,
  K
>;

export interface RowOptions<K> {
  /** Attributes never selected, e.g. a password hash nothing that loads the row reads. */
  exclude?: readonly K[];
}

/** What a statement over one model selects, and how its raw rows become `LoadedRow`s. */
interface RowShape {
  sequelize: Sequelize;
  table: string;
  /** `"field" AS "attribute", …`: every column selected, under its attribute's name. */
  select: string;
  /** The primary key's column. */
  key: string;
  keyAttribute: string;
  /** Attributes of type `DATE`: SQLite hands them back as text, PostgreSQL as `Date`s. */
  dates: string[];
  /** Column of each attribute, for the attributes a statement filters or sorts on. */
  fields: Map<string, string>;
}

const shapes = new WeakMap<object, Map<string, RowShape>>();

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function shapeOf(model: ModelStatic<Model>, exclude: readonly PropertyKey[]): RowShape {
  const cacheKey = exclude.map(String).join('\n');
  let perModel = shapes.get(model);
  if (!perModel) shapes.set(model, (perModel = new Map()));
  const cached = perModel.get(cacheKey);
  if (cached) return cached;
  const sequelize = model.sequelize;
  if (!sequelize) throw new Error(`The ${model.name} model is not bound to a database`);
  const tableName = model.getTableName();
  const table =
    typeof tableName === 'string'
      ? quote(tableName)
      : `${tableName.schema ? `${quote(tableName.schema)}.` : ''}${quote(tableName.tableName)}`;
  const fields = new Map<string, string>();
  const columns: string[] = [];
  const dates: string[] = [];
  for (const [attribute, options] of Object.entries(model.getAttributes())) {
    const field = options.field ?? attribute;
    fields.set(attribute, field);
    if (exclude.includes(attribute)) continue;
    columns.push(field === attribute ? quote(field) : `${quote(field)} AS ${quote(attribute)}`);
    if (typeof options.type !== 'string' && options.type.key === DataTypes.DATE.key) {
      dates.push(attribute);
    }
  }
  const keyAttribute = model.primaryKeyAttribute;
  const shape: RowShape = {
    sequelize,
    table,
    select: columns.join(', '),
    key: quote(fields.get(keyAttribute) ?? keyAttribute),
    keyAttribute,
    dates,
    fields,
  };
  perModel.set(cacheKey, shape);
  return shape;
}

async function selectRows<Row>(
  shape: RowShape,
  sql: string,
  replacements: Record<string, unknown>,
): Promise<Row[]> {
  const raw = await shape.sequelize.query<Record<string, unknown>>(sql, {
    type: QueryTypes.SELECT,
    replacements,
  });
  if (shape.dates.length > 0) {
    for (const row of raw) {
      for (const attribute of shape.dates) {
        const value = row[attribute];
        if (value !== null && value !== undefined && !(value instanceof Date)) {
          row[attribute] = new Date(value as string);
        }
      }
    }
  }
  return raw as Row[];
}

/**
 * A loader of `model`'s rows by primary key, the key as a client wrote it (parsed with
 * `parseId`): a malformed or missing key loads null. One `SELECT … WHERE "id" IN (…)` per batch.
 * Create one per request, so that nothing is cached across viewers.
 */
export function loadById<M extends Model, K extends keyof Attributes<M> = never>(
  model: ModelStatic<M>,
  options: RowOptions<K> = {},
): DataLoader<string, LoadedRow<M, K> | null> {
  const shape = shapeOf(model as ModelStatic<Model>, options.exclude ?? []);
  const sql = `SELECT ${shape.select} FROM ${shape.table} WHERE ${shape.key} IN (:ids)`;
  return new DataLoader<string, LoadedRow<M, K> | null>(async (ids) => {
    const keys = ids.map(parseId);
    const valid = [...new Set(keys.filter((key): key is number => key !== null))];
    if (valid.length === 0) return ids.map(() => null);
    const rows = await selectRows<LoadedRow<M, K>>(shape, sql, { ids: valid });
    const byId = new Map(
      rows.map((row) => [String((row as Record<string, unknown>)[shape.keyAttribute]), row]),
    );
    return keys.map((key) => (key === null ? null : (byId.get(String(key)) ?? null)));
  });
}

/**
 * Loaders of one page of `model`'s rows per value of `parentAttribute` (say, each user's
 * orders), ordered by primary key: `page` picks the loader, one (and one cache) per `{limit,
 * offset}`. Each batch is one statement: `ROW_NUMBER()` numbers every parent's rows separately, so
 * the limit and offset apply per parent rather than to the batch as a whole. Rows whose parent is
 * null belong to no page. Create one per request.
 */
export function pagesByParent<M extends Model, K extends keyof Attributes<M> = never>(
  model: ModelStatic<M>,
  parentAttribute: keyof Attributes<M> & string,
  options: RowOptions<K> = {},
): (page: Page) => DataLoader<string, Array<LoadedRow<M, K>>> {
  const shape = shapeOf(model as ModelStatic<Model>, options.exclude ?? []);
  const parentField = shape.fields.get(parentAttribute);
  if (parentField === undefined) {
    throw new Error(`The ${model.name} model has no attribute ${parentAttribute}`);
  }
  const parent = quote(parentField);
  const sql = `SELECT ${shape.select}
       FROM (SELECT ${shape.table}.*,
                    ROW_NUMBER() OVER (PARTITION BY ${parent} ORDER BY ${shape.key}) AS "position"
               FROM ${shape.table} WHERE ${parent} IN (:parents)) AS "ranked"
      WHERE "position" > :offset AND "position" <= :end
      ORDER BY ${parent}, ${shape.key}`;
  const loaders = new Map<string, DataLoader<string, Array<LoadedRow<M, K>>>>();
  return (page) => {
    const pageKey = `${page.limit}:${page.offset}`;
    let loader = loaders.get(pageKey);
    if (!loader) {
      loader = new DataLoader(async (parents) => {
        const rows = await selectRows<LoadedRow<M, K>>(shape, sql, {
          parents: [...parents],
          offset: page.offset,
          end: page.offset + page.limit,
        });
        const byParent = new Map<string, Array<LoadedRow<M, K>>>();
        for (const row of rows) {
          const value = (row as Record<string, unknown>)[parentAttribute];
          if (value === null || value === undefined) continue;
          const key = String(value);
          const list = byParent.get(key);
          if (list) list.push(row);
          else byParent.set(key, [row]);
        }
        return parents.map((value) => byParent.get(value) ?? []);
      });
      loaders.set(pageKey, loader);
    }
    return loader;
  };
}

/**
 * One page of all of `model`'s rows, ordered by primary key: one `SELECT … LIMIT … OFFSET …`.
 */
export function loadPage<M extends Model, K extends keyof Attributes<M> = never>(
  model: ModelStatic<M>,
  page: Page,
  options: RowOptions<K> = {},
): Promise<Array<LoadedRow<M, K>>> {
  const shape = shapeOf(model as ModelStatic<Model>, options.exclude ?? []);
  return selectRows<LoadedRow<M, K>>(
    shape,
    `SELECT ${shape.select} FROM ${shape.table} ORDER BY ${shape.key} LIMIT :limit OFFSET :offset`,
    { limit: page.limit, offset: page.offset },
  );
}
