const problemKinds = {
  bad_request: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  totp_required: { status: 401, title: 'Two-factor code required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  gone: { status: 410, title: 'Gone' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation: { status: 422, title: 'Validation failed' },
  idempotency_mismatch: { status: 422, title: 'Idempotency key reused with a different request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
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

  constructor(
    kind: ProblemKind,
    detail?: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? problemKinds[kind].title);
    this.kind = kind;
    this.status = problemKinds[kind].status;
    this.title = problemKinds[kind].title;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export const problemType = (kind: ProblemKind) => `https://foreman.dev/problems/${kind.replaceAll('_', '-')}`;

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const conflict = (detail: string) => new ApiError('conflict', detail);
export const forbidden = (detail: string) => new ApiError('forbidden', detail);
export const unauthenticated = (detail: string) =>
  new ApiError('unauthenticated', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="foreman"' } });
