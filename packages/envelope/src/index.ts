export * from './envelope';
export * from './gatewaySigned';
export * from './signingFetcher';
export * from './signingSecret';
