// Everything a test needs, from one place.
export * from './agents';
export * from './api-keys';
export * from './assignments';
export * from './auth';
export * from './chat';
export * from './fake-openai';
export * from './http';
export * from './models';
export * from './paths';
export * from './pipelines';
export * from './revocation';
export * from './runs';
export * from './streams';
export * from './users';
export * from './vault';
export * from './work';
