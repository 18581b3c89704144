import type { Env } from '../../env';
import { openText, sealText } from '../../lib/aead';
import { masterKeys } from '../vault/master-keys';

/**
 * Platform secrets that belong to a user rather than an organization (TOTP seeds), sealed with
 * the master key as `v<version>.<iv>.<ciphertext>` and bound to their owner by `aad`.
 */
export async function sealPlatformSecret(env: Env, plaintext: string, aad: string) {
  const { current } = await masterKeys(env);
  const { iv, ciphertext } = await sealText(current.key, plaintext, aad);
  return `v${current.version}.${iv}.${ciphertext}`;
}

export async function openPlatformSecret(env: Env, sealed: string, aad: string) {
  const [v, iv, ciphertext] = sealed.split('.');
  const key = (await masterKeys(env)).byVersion.get(Number(v?.slice(1)));
  if (!key || !iv || !ciphertext) throw new Error('Sealed secret uses an unknown master key version');
  return openText(key, { iv, ciphertext }, aad);
}
