/** Every problem the API answers with: its status, title, and what it means for a client. */
export const problemKinds = {
  bad_request: {
    status: 400,
    title: 'Bad request',
    description:
      'The request could not be read: e.g. invalid JSON, a malformed cursor or header. Fix the request; retrying it unchanged fails again.',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    description:
      'No credentials, or ones that are invalid, expired or revoked. Send `Authorization: Bearer <access JWT | API key>`; refresh an expired access token with `/api/v1/auth/refresh`.',
  },
  totp_required: {
    status: 401,
    title: 'Two-factor code required',
    description:
      'The account has two-factor authentication on. Repeat the login with `totp_code` (from the authenticator app) or a `backup_code`.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description:
      "The caller is known but may not do this: their role in the organization, or the API key's scopes, do not allow it. Ask an owner or admin, or use a key with the scope named in `detail`.",
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description:
      "No such resource or route. Another organization's resource answers this too, exactly like a missing one.",
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists but not with this method; the `Allow` header lists the methods it takes.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description:
      'The resource is not in a state that allows this (e.g. a name already taken, a transition not allowed from the current status, a request with the same `Idempotency-Key` still in flight). Read the resource again, then decide.',
  },
  gone: {
    status: 410,
    title: 'Gone',
    description:
      'The thing existed but can no longer be used: a token already used or expired, a key past its grace period. Get a new one.',
  },
  budget_exceeded: {
    status: 402,
    title: 'Budget exceeded',
    description:
      'A monthly model budget (the organization’s or the agent’s) is used up, so no model was called. `limit`, `spent`, `metric` and `resets_at` say which and until when; raise the budget or wait for the reset.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    description:
      'The request body is larger than the API accepts (1 MiB unless the operation says otherwise).',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description:
      'The body is not in a format the API reads. Send `Content-Type: application/json` (or `multipart/form-data` for uploads).',
  },
  validation: {
    status: 422,
    title: 'Validation failed',
    description:
      'The body, query or path was read but is not acceptable. `errors` lists each field (`path`) with a message saying what to change. Nothing was written.',
  },
  idempotency_mismatch: {
    status: 422,
    title: 'Idempotency key reused with a different request',
    description:
      'This `Idempotency-Key` was already used with another method, path or body. Use a new key for a new request; repeat the original body to get the original response.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description:
      'Too many attempts in the current window. Wait the number of seconds in `Retry-After` before trying again; `RateLimit` and `RateLimit-Policy` describe the limit.',
  },
  internal: {
    status: 500,
    title: 'Internal server error',
    description:
      'An unexpected error on the server. Retry later; when reporting it, quote `request_id` (also in the `X-Request-Id` header).',
  },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'A dependency (e.g. the database) is not reachable. Retry later with backoff.',
  },
} as const;

export type ProblemKind = keyof typeof problemKinds;

export interface FieldError {
  path: string;
  message: string;
}

/** The one error type handlers throw; `onError` turns it into problem details. */
export class ApiError extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  /** Extension members of the problem (RFC 9457 §3.2), e.g. a budget's limit and spend. */
  readonly extensions?: Record<string, unknown>;

  constructor(
    kind: ProblemKind,
    detail?: string,
    extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    super(detail ?? problemKinds[kind].title);
    this.kind = kind;
    this.status = problemKinds[kind].status;
    this.title = problemKinds[kind].title;
    this.errors = extra.errors;
    this.headers = extra.headers;
    this.extensions = extra.extensions;
  }
}

/** The path of the page that explains a problem: `/problems/<kind>` with hyphens. */
export const problemPath = (kind: ProblemKind) => `/problems/${kind.replaceAll('_', '-')}`;

/** A problem's `type`: the absolute URL of its page on the server that answered. */
export const problemType = (kind: ProblemKind, origin: string) => `${origin}${problemPath(kind)}`;

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const conflict = (detail: string) => new ApiError('conflict', detail);
export const forbidden = (detail: string) => new ApiError('forbidden', detail);
export const unauthenticated = (detail: string) =>
  new ApiError('unauthenticated', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="foreman"' } });
