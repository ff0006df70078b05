import {
  DataTypes,
  type InferAttributes,
  type InitOptions,
  type Model,
  type ModelAttributes,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';

const bound = new WeakMap<object, WeakMap<Sequelize, unknown>>();

/**
 * `model` bound to `sequelize`, as a subclass of its own: a Sequelize model class keeps its
 * connection in static state, and tests run several databases in one process. Asking twice for
 * the same model and database returns the same class.
 */
export function bindModel<M extends Model, S extends ModelStatic<M>>(
  model: S,
  sequelize: Sequelize,
  attributes: ModelAttributes<M>,
  options: Omit<InitOptions<M>, 'sequelize'>,
): S {
  let perDatabase = bound.get(model);
  if (!perDatabase) bound.set(model, (perDatabase = new WeakMap()));
  const existing = perDatabase.get(sequelize);
  if (existing) return existing as S;
  const Base = model as unknown as new () => object;
  const Bound = class extends Base {} as unknown as S;
  Bound.init(attributes, { ...options, sequelize });
  perDatabase.set(sequelize, Bound);
  return Bound;
}

/** The columns `bindEntityModel` adds to every entity's own. */
type EntityColumns = 'id' | 'createdAt' | 'updatedAt';

/**
 * A model's columns as a plain object: what reads that never change a row load (a model instance
 * costs several times the row, so the kit's loaders return these), and what resolvers take; a
 * model instance is one too.
 */
export type RowOf<M extends Model> = InferAttributes<M>;

/**
 * An entity's model bound to `sequelize` (see `bindModel`), with the columns every entity table
 * of this repository has around its own: an auto-increment integer `id` (the `@key`), and
 * `createdAt` and `updatedAt`, which Sequelize maintains.
 */
export function bindEntityModel<M extends Model, S extends ModelStatic<M>>(
  model: S,
  sequelize: Sequelize,
  columns: Omit<ModelAttributes<M>, EntityColumns>,
  options: { modelName: string; tableName: string },
): S {
  const attributes = {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    ...columns,
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  } as unknown as ModelAttributes<M>;
  return bindModel(model, sequelize, attributes, { ...options, timestamps: true });
}
