import { createMiddleware } from 'hono/factory';
import { wireError } from '../../domain/models/openai-wire-response';
import type { AppEnv } from '../../env';
import type { Problem } from '../../http/problem';

/**
 * Mounted ahead of authentication on the OpenAI-compatible paths: every problem answered there
 * (credentials, access, validation, budget, model) also carries OpenAI's `error` member, so OpenAI
 * clients raise the right error class with a readable message. The body stays an RFC 9457 problem;
 * `error` is an extension member.
 */
export const openAIErrors = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.get('Content-Type')?.startsWith('application/problem+json')) return;
  const problem = (await c.res.clone().json()) as Problem;
  const code = (problem.type.split('/').pop() ?? 'error').replaceAll('-', '_');
  const error = wireError(
    problem.status,
    code,
    problem.detail ?? problem.title,
    problem.errors?.[0]?.path ?? null,
  );
  c.res = new Response(JSON.stringify({ ...problem, error }), {
    status: c.res.status,
    headers: c.res.headers,
  });
});
