import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { Role, Scope } from '../domain/auth/scopes';
import { requireAccess } from '../middleware/access';
import { IdempotencyHeaderSchema, idempotent as idempotency } from '../middleware/idempotency';
import { errorResponses } from './openapi';

/** What a caller needs: members at least `role`; API keys `scope` (none: API keys are refused). */
export interface Access {
  role: Role;
  scope?: Scope;
}

/** The OpenAPI extension that records a route's access, read by clients and the access matrix. */
export const ACCESS_EXTENSION = 'x-foreman-access';

type OrgRouteConfig = Omit<RouteConfig, 'middleware' | 'path'> & {
  path: string;
  access: Access;
  /** Takes an `Idempotency-Key` (every create does): a retry replays the first response. */
  idempotent?: boolean;
  /** Can answer 409 (a state or uniqueness conflict). */
  conflicts?: boolean;
};

const replayedHeader = {
  'Idempotent-Replayed': {
    description: 'Present (`true`) when this is the stored response to an earlier request with the same key',
    schema: { type: 'string' as const, enum: ['true'] },
  },
};

/** Every create body refuses unknown fields (422 naming them), so a typo is never dropped silently. */
function strictBody(body: NonNullable<RouteConfig['request']>['body']) {
  const json = body?.content['application/json'];
  if (!json || !('schema' in json)) return body;
  const { schema } = json;
  if (!(schema instanceof z.ZodObject) || schema.def.catchall) return body;
  return { ...body, content: { ...body.content, 'application/json': { ...json, schema: schema.strict() } } };
}

/**
 * Declares a route under `/orgs/{orgId}`. Its middleware (access check, idempotency), its
 * `Idempotency-Key` header and its documented errors are derived from what it declares, so no
 * route can forget a check or answer a status its OpenAPI document does not list.
 */
export function orgRoute<const R extends OrgRouteConfig>(def: R) {
  const { access, idempotent, conflicts, ...config } = def;
  const request: NonNullable<RouteConfig['request']> = config.request ?? {};
  const responses = Object.fromEntries(
    Object.entries(config.responses).map(([status, r]) =>
      idempotent && status.startsWith('2') && !('$ref' in r)
        ? [status, { ...r, headers: { ...replayedHeader, ...r.headers } }]
        : [status, r],
    ),
  );
  const route = createRoute({
    ...config,
    middleware: idempotent
      ? [requireAccess(access.role, access.scope), idempotency]
      : [requireAccess(access.role, access.scope)],
    request: {
      ...request,
      body: strictBody(request.body),
      ...(idempotent ? { headers: IdempotencyHeaderSchema } : {}),
    },
    responses: {
      ...responses,
      // 409 also answers a retry while the first request with its Idempotency-Key is still running.
      ...errorResponses(401, 403, 404, ...(conflicts || idempotent ? [409 as const] : [])),
    },
    [ACCESS_EXTENSION]: { role: access.role, scope: access.scope ?? null },
  });
  return route as unknown as Omit<R, 'access' | 'idempotent' | 'conflicts'> & {
    middleware: ReturnType<typeof requireAccess>[];
    getRoutingPath: (typeof route)['getRoutingPath'];
  };
}
