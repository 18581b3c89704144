import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { ApiError } from './errors';

/**
 * Every router is made here so that validation failures everywhere become the same
 * 422 problem with per-field errors.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = result.error.issues.flatMap(closestIssues).map((issue) => ({
          path: issue.path.length > 0 ? issue.path.join('.') : result.target,
          message: issue.message,
        }));
        throw new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
      }
    },
  });
}

/** A body matching no branch of a union is reported by the branch it came closest to, naming its fields. */
function closestIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
  return closest.flatMap((i) => closestIssues({ ...i, path: [...issue.path, ...i.path] }));
}
