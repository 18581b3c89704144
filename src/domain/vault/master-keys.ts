import type { Env } from '../../env';
import { importAesKey } from '../../lib/aead';
import { fromBase64 } from '../../lib/encoding';

export interface MasterKeys {
  current: { version: number; key: CryptoKey };
  byVersion: Map<number, CryptoKey>;
}

const cache = new Map<string, Promise<MasterKeys>>();

/**
 * `VAULT_MASTER_KEYS` holds `version:base64(32 bytes)` pairs. The highest version wraps new data
 * keys; older versions stay to unwrap until housekeeping has re-wrapped everything.
 */
export function masterKeys(env: Pick<Env, 'VAULT_MASTER_KEYS'>): Promise<MasterKeys> {
  let keys = cache.get(env.VAULT_MASTER_KEYS);
  if (!keys) {
    keys = load(env.VAULT_MASTER_KEYS);
    cache.set(env.VAULT_MASTER_KEYS, keys);
  }
  return keys;
}

async function load(spec: string): Promise<MasterKeys> {
  const byVersion = new Map<number, CryptoKey>();
  for (const entry of spec.split(',')) {
    const [v, b64] = entry.trim().split(':');
    const version = Number(v);
    const raw = b64 ? fromBase64(b64) : new Uint8Array();
    if (!Number.isInteger(version) || version < 1 || raw.byteLength !== 32)
      throw new Error('VAULT_MASTER_KEYS must be `version:base64` pairs of 32-byte keys');
    // Two keys under one version would make data wrapped by the first unreadable.
    if (byVersion.has(version)) throw new Error(`VAULT_MASTER_KEYS names version ${version} twice`);
    byVersion.set(version, await importAesKey(raw));
  }
  const version = Math.max(...byVersion.keys());
  return { current: { version, key: byVersion.get(version)! }, byVersion };
}
