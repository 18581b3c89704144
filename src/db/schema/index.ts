export * from './activity';
export * from './api-keys';
export * from './idempotency';
export * from './identity';
export * from './organizations';
export * from './outbox';
export * from './vault';
