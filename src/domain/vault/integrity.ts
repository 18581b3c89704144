import { ApiError } from '../../lib/errors';

/**
 * A stored secret that cannot be decrypted: its ciphertext or data key was altered or moved, or
 * the master key that wraps it is missing. The caller cannot fix this, so it is a 500; the
 * problem says only that the integrity check failed, while operators get the details in the log.
 */
export function integrityFailure(reason: string, details: Record<string, string | number>) {
  console.error(JSON.stringify({ event: 'vault.integrity_failure', reason, ...details }));
  return new ApiError(
    'internal',
    'The stored secret failed its integrity check and cannot be decrypted; quote the request id when reporting it',
  );
}
