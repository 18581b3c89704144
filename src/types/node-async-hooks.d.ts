// workerd provides node:async_hooks under nodejs_compat; this is the part of it Foreman uses
// (the project does not pull in @types/node for one class).
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}
