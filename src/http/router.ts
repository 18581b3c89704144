import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { ApiError, type FieldError } from '../lib/errors';
import { describeIssue, fieldName } from './validation-messages';

z.config({ customError: describeIssue });

/**
 * The field errors of one issue, each with its line for the detail. Unknown fields get one error
 * each, named by their own path. A message a schema gave itself may not name its field: its line does.
 */
function fieldErrors(issue: z.core.$ZodIssue, target: string): { error: FieldError; line: string }[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => {
      const message = `unknown field: ${fieldName([...issue.path, key])}`;
      return { error: { path: fieldName([...issue.path, key]), message }, line: message };
    });
  const path = issue.path.length > 0 ? fieldName(issue.path) : target;
  const named = issue.path.length === 0 || issue.message.startsWith(`${path} `);
  return [
    { error: { path, message: issue.message }, line: named ? issue.message : `${path}: ${issue.message}` },
  ];
}

/**
 * Every router is made here so that validation failures everywhere become the same
 * 422 problem with per-field errors.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const found = result.error.issues
          .flatMap(closestIssues)
          .flatMap((issue) => fieldErrors(issue, result.target));
        throw new ApiError('validation', found.map((f) => f.line).join('; '), {
          errors: found.map((f) => f.error),
        });
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
