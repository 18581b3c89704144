import type { z } from '@hono/zod-openapi';

/**
 * Messages for zod's issues, as sentences a person can act on ("limit must be an integer from 1 to
 * 100"). Installed once as zod's error map, so every schema speaks the same way; a message a schema
 * gives itself (a refinement, a regex hint) still wins. The error map sees the whole path, the input
 * and the schema, which the issue that reaches the validation hook no longer carries.
 */
type RawIssue = Parameters<NonNullable<z.core.$ZodConfig['customError']>>[0];

interface NumberBounds {
  integer: boolean;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

interface SchemaDef {
  type?: string;
  format?: string;
  checks?: { _zod: { def: { check: string; value?: unknown; inclusive?: boolean; format?: string } } }[];
}

const defOf = (schema: unknown): SchemaDef | undefined =>
  (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The bounds a number schema declares, read from its checks. */
function numberBounds(schema: unknown): NumberBounds | undefined {
  const def = defOf(schema);
  if (def?.type !== 'number') return undefined;
  const b: NumberBounds = { integer: def.format?.includes('int') ?? false };
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'number_format' && c.format?.includes('int')) b.integer = true;
    // `.int()` also bounds to the safe integers; those are not worth saying.
    if (c.check === 'greater_than' && typeof c.value === 'number' && c.value > Number.MIN_SAFE_INTEGER) {
      b.min = c.value;
      b.minExclusive = !c.inclusive;
    }
    if (c.check === 'less_than' && typeof c.value === 'number' && c.value < Number.MAX_SAFE_INTEGER) {
      b.max = c.value;
      b.maxExclusive = !c.inclusive;
    }
  }
  return b;
}

function numberPhrase(b: NumberBounds = { integer: false }) {
  const what = b.integer ? 'an integer' : 'a number';
  const { min, max } = b;
  if (min !== undefined && max !== undefined && !b.minExclusive && !b.maxExclusive)
    return `must be ${what} from ${min} to ${max}`;
  const parts = [
    min !== undefined ? `${b.minExclusive ? 'greater than' : 'at least'} ${min}` : undefined,
    max !== undefined ? `${b.maxExclusive ? 'less than' : 'at most'} ${max}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? `must be ${what} ${parts.join(' and ')}` : `must be ${what}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const typeNames: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a JSON object',
  record: 'a JSON object',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  bigint: 'an integer',
  date: 'a date',
};

const formatNames: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  uuid: 'a UUID',
  datetime: 'a date and time in ISO 8601 (e.g. 2026-01-31T09:30:00Z)',
  date: 'a date in ISO 8601 (YYYY-MM-DD)',
  time: 'a time in ISO 8601 (HH:MM:SS)',
  duration: 'an ISO 8601 duration',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  base64: 'base64 text',
  base64url: 'base64url text',
};

/** A limit a refinement reports without a message of its own; the error map words it. */
export interface LimitParams {
  limit: 'depth' | 'size';
  value: number;
}

export const sizeLabel = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

/** What is wrong, as a predicate that follows the field's name. */
function predicate(iss: RawIssue): string {
  const schema = (iss as { schema?: unknown }).schema ?? iss.inst;
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'is required';
      if (iss.expected === 'number' || iss.expected === 'int') return numberPhrase(numberBounds(schema));
      return `must be ${typeNames[iss.expected] ?? iss.expected}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const n = Number(small ? iss.minimum : iss.maximum);
      const exact = 'exact' in iss && iss.exact;
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint')
        return numberPhrase(numberBounds(schema) ?? { integer: false, [small ? 'min' : 'max']: n });
      if (iss.origin === 'string') {
        if (small && n === 1) return 'must not be empty';
        return `must be ${exact ? 'exactly' : small ? 'at least' : 'at most'} ${plural(n, 'character')} long`;
      }
      if (iss.origin === 'array' || iss.origin === 'set') {
        if (small && n === 1) return 'must not be empty';
        return `must have ${exact ? 'exactly' : small ? 'at least' : 'at most'} ${plural(n, 'item')}`;
      }
      return `must be ${small ? 'at least' : 'at most'} ${n}`;
    }
    case 'invalid_value': {
      const values = iss.values.map(String);
      return values.length === 1
        ? `must be ${JSON.stringify(iss.values[0])}`
        : `must be one of: ${values.join(', ')}`;
    }
    case 'invalid_format': {
      const f = iss as { format: string; prefix?: string; suffix?: string; includes?: string };
      if (f.format === 'starts_with') return `must start with "${f.prefix}"`;
      if (f.format === 'ends_with') return `must end with "${f.suffix}"`;
      if (f.format === 'includes') return `must contain "${f.includes}"`;
      if (f.format === 'regex') return 'is not in the expected format';
      return `must be ${formatNames[f.format] ?? `a valid ${f.format}`}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${iss.divisor}`;
    case 'unrecognized_keys':
      return `has unknown fields: ${iss.keys.join(', ')}`;
    case 'invalid_union':
      return iss.input === undefined ? 'is required' : 'is not one of the accepted forms';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has a value that is not allowed';
    case 'custom': {
      if (iss.input === undefined) return 'is required';
      const p = iss.params as LimitParams | undefined;
      if (p?.limit === 'depth') return `nests deeper than the limit of ${p.value} levels`;
      if (p?.limit === 'size') return `is larger than the limit of ${sizeLabel(p.value)} as JSON`;
      return 'is invalid';
    }
    default:
      return 'is invalid';
  }
}

/** The name a message gives a field: its dotted path, or the body itself. */
export const fieldName = (path: readonly PropertyKey[]) =>
  path.length > 0 ? path.map(String).join('.') : 'The body';

export function describeIssue(iss: RawIssue): string {
  return `${fieldName(iss.path ?? [])} ${predicate(iss)}`;
}
