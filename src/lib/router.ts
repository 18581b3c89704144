import { OpenAPIHono } from '@hono/zod-openapi';
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
        const errors = result.error.issues.map((issue) => ({
          path: issue.path.length > 0 ? issue.path.join('.') : result.target,
          message: issue.message,
        }));
        throw new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
      }
    },
  });
}
