import { utf8 } from '../../lib/encoding';
import { ApiError } from '../../lib/errors';

/** What a vault item's name, description and value may be; the HTTP schemas say the same. */

export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_NAME_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_VALUE_BYTES = 64 * 1024;
export const DEFAULT_GRACE_SECONDS = 86_400;
export const MAX_GRACE_SECONDS = 30 * 86_400;

export const invalid = (path: string, message: string) =>
  new ApiError('validation', `${path}: ${message}`, { errors: [{ path, message }] });

/** The same rules the HTTP schemas enforce, for callers that do not come through HTTP. */
export function checkName(name: string) {
  if (name.length < 1 || name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name))
    throw invalid('name', `Use 1–${MAX_NAME_LENGTH} letters, digits, '_', '.' or '-'`);
}

export function checkValue(value: string) {
  if (value.length === 0) throw invalid('value', 'The value must not be empty');
  if (utf8.encode(value).byteLength > MAX_VALUE_BYTES)
    throw invalid('value', `The value must be at most ${MAX_VALUE_BYTES} bytes (64 KiB) as UTF-8`);
}

export function checkDescription(description: string | null | undefined) {
  if (description != null && description.length > MAX_DESCRIPTION_LENGTH)
    throw invalid('description', `At most ${MAX_DESCRIPTION_LENGTH} characters`);
}
