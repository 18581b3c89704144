/**
 * How long an isolate may trust a credential check it already made. Revocation in the same isolate
 * forgets at once; other isolates see it within this bound. One second keeps revocation effectively
 * immediate while a busy key or session costs one D1 read a second instead of one per request.
 */
export const CREDENTIAL_CACHE_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

export class CredentialCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  #forgets = 0;

  /**
   * Taken before reading a credential from D1 and passed to `set`: a read that a revocation in this
   * isolate overtook (it forgot while the read was in flight) is then not cached.
   */
  get version() {
    return this.#forgets;
  }

  get(key: string, now = Date.now()): V | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now || hit.until - now > CREDENTIAL_CACHE_TTL_MS) {
      // Stale, or cached under a clock that has since moved backwards.
      this.#entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, now = Date.now(), readAt = this.#forgets) {
    if (readAt !== this.#forgets) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, until: now + CREDENTIAL_CACHE_TTL_MS });
  }

  forget(match: (value: V, key: string) => boolean) {
    this.#forgets++;
    for (const [key, entry] of this.#entries) if (match(entry.value, key)) this.#entries.delete(key);
  }
}
