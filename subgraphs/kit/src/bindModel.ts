import type { Model, ModelAttributes, ModelStatic, InitOptions, Sequelize } from 'sequelize';

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
