import type { RouterRoute } from 'hono/types';

/**
 * Hono answers an unknown method on a known path with 404; this finds the methods that path
 * does allow, so the API can answer 405 with an `Allow` header instead.
 */
export function allowedMethods(routes: RouterRoute[]) {
  const patterns = new Map<string, { re: RegExp; methods: Set<string> }>();
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    let p = patterns.get(r.path);
    if (!p) {
      const re = new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}/?$`);
      p = { re, methods: new Set() };
      patterns.set(r.path, p);
    }
    p.methods.add(r.method);
  }
  return (path: string): string[] => {
    const methods = new Set<string>();
    for (const p of patterns.values()) if (p.re.test(path)) for (const m of p.methods) methods.add(m);
    return [...methods].sort();
  };
}
