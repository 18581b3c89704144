import type { Env } from '../env';
import { measure } from '../http/server-timing';

/** Each execution of a statement is one D1 round trip. */
class TimedStatement implements D1PreparedStatement {
  constructor(readonly inner: D1PreparedStatement) {}

  bind(...values: unknown[]) {
    return new TimedStatement(this.inner.bind(...values));
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  first<T>(colName?: string): Promise<T | null> {
    return measure('d1', () =>
      colName === undefined ? this.inner.first<T>() : this.inner.first<T>(colName),
    );
  }

  run<T = Record<string, unknown>>() {
    return measure('d1', () => this.inner.run<T>());
  }

  all<T = Record<string, unknown>>() {
    return measure('d1', () => this.inner.all<T>());
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<[string[], ...T[]] | T[]> {
    return measure<[string[], ...T[]] | T[]>('d1', () =>
      options?.columnNames ? this.inner.raw<T>({ columnNames: true }) : this.inner.raw<T>(),
    );
  }
}

const unwrap = (s: D1PreparedStatement) => (s instanceof TimedStatement ? s.inner : s);

/** A batch, however many statements it holds, is one round trip. */
class TimedSession implements D1DatabaseSession {
  constructor(readonly inner: D1Database | D1DatabaseSession) {}

  prepare(query: string) {
    return new TimedStatement(this.inner.prepare(query));
  }

  batch<T = unknown>(statements: D1PreparedStatement[]) {
    return measure('d1', () => this.inner.batch<T>(statements.map(unwrap)));
  }

  getBookmark() {
    return 'getBookmark' in this.inner ? this.inner.getBookmark() : null;
  }
}

class TimedD1 extends TimedSession implements D1Database {
  constructor(readonly d1: D1Database) {
    super(d1);
  }

  exec(query: string) {
    return measure('d1', () => this.d1.exec(query));
  }

  withSession(constraintOrBookmark?: D1SessionBookmark | D1SessionConstraint) {
    return new TimedSession(this.d1.withSession(constraintOrBookmark));
  }

  dump() {
    return measure('d1', () => this.d1.dump());
  }
}

/** Every method called on a stub (RPC or `fetch`) is one Durable Object call. */
function timedStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      // `then` is looked up when a stub is returned from an async function; it is not a call.
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'then') return value;
      // RPC methods are stubs too: `value.apply` would name a remote method, so Reflect calls it.
      return (...args: unknown[]) =>
        measure('do', () => Reflect.apply(value, target, args) as Promise<unknown>);
    },
  });
}

function timedNamespace<T extends object>(ns: T): T {
  return new Proxy(ns, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      if (prop === 'get' || prop === 'getByName')
        return (...args: unknown[]) => timedStub(Reflect.apply(value, target, args));
      // Native methods need the real namespace as `this`.
      return value.bind(target);
    },
  });
}

const timedEnvs = new WeakMap<Env, Env>();

/**
 * The bindings as requests see them: D1 and Durable Object calls are counted and timed for the
 * request that makes them (see `measure`). Built once per isolate, so the drizzle client cached
 * per D1 binding stays cached.
 */
export function timedEnv(env: Env): Env {
  let timed = timedEnvs.get(env);
  if (!timed) {
    timed = {
      ...env,
      DB: new TimedD1(env.DB),
      RATE_LIMITER: timedNamespace(env.RATE_LIMITER),
      AGENT_HUB: timedNamespace(env.AGENT_HUB),
      ORG_STREAM: timedNamespace(env.ORG_STREAM),
      PIPELINE_RUN: timedNamespace(env.PIPELINE_RUN),
      CHAT_SESSION: timedNamespace(env.CHAT_SESSION),
    };
    timedEnvs.set(env, timed);
  }
  return timed;
}
