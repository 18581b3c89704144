const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Opaque, type-prefixed, time-ordered ids (`usr_…`): 10 characters of millisecond time then
 * 16 random ones, so sorting by id is sorting by creation and ids make stable cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}
