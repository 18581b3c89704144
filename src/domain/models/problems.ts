import { ApiError } from '../../lib/errors';
import { iso } from '../../lib/time';
import type { GatewayPart } from './gateway';

type ErrorPart = Extract<GatewayPart, { type: 'error' }>;

/**
 * The problem an HTTP caller of the gateway answers with: 402 naming the budget, 429 with
 * Retry-After, 422 for a request the model refused or a model that cannot be used, 503 when the
 * provider failed (after any fallbacks).
 */
export function gatewayProblem(e: ErrorPart): ApiError {
  switch (e.kind) {
    case 'budget_exceeded':
      return new ApiError('budget_exceeded', e.message, {
        extensions: e.budget && {
          budget_id: e.budget.budgetId,
          scope: e.budget.scope,
          metric: e.budget.metric,
          limit: e.budget.limit,
          spent: e.budget.spent,
          resets_at: iso(e.budget.resetsAt),
        },
      });
    case 'rate_limited':
      return new ApiError('rate_limited', e.message, {
        headers: e.retryAfter === undefined ? {} : { 'Retry-After': String(e.retryAfter) },
      });
    case 'no_model':
      return new ApiError('validation', e.message, { errors: [{ path: 'model', message: e.message }] });
    case 'invalid_request':
      return new ApiError('validation', e.message, { errors: [{ path: 'messages', message: e.message }] });
    default:
      return new ApiError('unavailable', e.message);
  }
}
