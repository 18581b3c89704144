import { z } from '@hono/zod-openapi';
import { getAssignment } from '../../domain/assignments/assignments';
import { triggerAssignment } from '../../domain/assignments/fire';
import { viewOf } from '../../domain/assignments/view';
import { jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { AssignmentParamsSchema, AssignmentSchema, DEFAULT_NEXT, tags, toAssignment } from './schemas';

const triggerRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/projects/{projectId}/pipeline-assignments/{assignmentId}/trigger',
  tags,
  operationId: 'triggerPipelineAssignment',
  summary: 'Start a run of the assignment now, with its input template (enabled or not)',
  description: 'Retry with the same `Idempotency-Key` to be sure one run starts.',
  access: { role: 'member', scope: 'runs:write' },
  idempotent: true,
  request: { params: AssignmentParamsSchema },
  responses: {
    202: jsonResponse(
      z.object({
        run_id: z.string().openapi({ example: 'run_01hv…' }),
        assignment: AssignmentSchema,
      }),
      'The run started; the assignment shows it as its last run',
    ),
  },
});

export const triggerRouter = createRouter().openapi(triggerRoute, async (c) => {
  const { projectId, assignmentId } = c.req.valid('param');
  const run = await triggerAssignment(c.var.ctx, projectId, assignmentId);
  const row = await getAssignment(c.var.ctx, projectId, assignmentId);
  return c.json(
    { run_id: run.id, assignment: toAssignment(await viewOf(c.var.ctx, row, DEFAULT_NEXT)) },
    202,
  );
});
