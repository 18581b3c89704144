import { fromBase64, fromUtf8, toBase64, utf8 } from './encoding';

/** AES-256-GCM with associated data, which binds a ciphertext to where it belongs. */
export async function seal(key: CryptoKey, plaintext: BufferSource, aad: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) },
    key,
    plaintext,
  );
  return { iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ct)) };
}

export async function open(key: CryptoKey, sealed: { iv: string; ciphertext: string }, aad: string) {
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: utf8.encode(aad) },
    key,
    fromBase64(sealed.ciphertext),
  );
  return new Uint8Array(pt);
}

export const sealText = (key: CryptoKey, text: string, aad: string) => seal(key, utf8.encode(text), aad);
export const openText = async (key: CryptoKey, sealed: { iv: string; ciphertext: string }, aad: string) =>
  fromUtf8.decode(await open(key, sealed, aad));

export const importAesKey = (raw: BufferSource) =>
  crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
