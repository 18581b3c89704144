// Everything a test needs, from one place.
export * from './agents';
export * from './api-keys';
export * from './auth';
export * from './chat';
export * from './http';
export * from './paths';
export * from './streams';
export * from './users';
export * from './vault';
export * from './work';
