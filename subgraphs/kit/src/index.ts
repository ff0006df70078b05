// The one import a subgraph needs: the subgraph kit itself, plus the runtime and the envelope's
// subgraph half, re-exported.
export * from '@fedstack/runtime';
export * from '@fedstack/envelope';
export * from './config';
export * from './database';
export * from './migrator';
export * from './scalars';
export * from './subgraphServer';
export * from './validation';
export * from './viewer';
export * from './definition';
export * from './references';
export * from './bindModel';
export * from './loaders';
