/**
 * Credential reads in flight, by what they read. When a cached check expires under load, every
 * request arriving during the round trip that renews it would otherwise read the same rows again
 * (a burst of reads each second per credential); they wait for the read under way instead.
 *
 * A read is joined only while the caches it would fill have not forgotten anything since it
 * started (`versions`, see `CredentialCache.version`): a revocation in this isolate is never
 * overtaken, and a joined read is never older than a cached check would be.
 */
export class SharedReads<V> {
  readonly #reads = new Map<string, { versions: string; read: Promise<V> }>();

  read(key: string, versions: readonly number[], start: () => Promise<V>): Promise<V> {
    const stamp = versions.join(' ');
    const running = this.#reads.get(key);
    if (running?.versions === stamp) return running.read;
    const entry = { versions: stamp, read: start() };
    this.#reads.set(key, entry);
    const settled = () => {
      if (this.#reads.get(key) === entry) this.#reads.delete(key);
    };
    entry.read.then(settled, settled);
    return entry.read;
  }
}
