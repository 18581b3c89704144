import { z } from '@hono/zod-openapi';
import { commandRun, getRunStep, type RunCommand, retryRunStep } from '../../domain/runs/commands';
import { jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadRuns, canWriteRuns } from './runs';
import {
  RunDetailSchema,
  RunParamsSchema,
  StepParamsSchema,
  StepSchema,
  tags,
  toRunDetail,
  toStep,
} from './schemas';

const SUMMARIES: Record<RunCommand, string> = {
  cancel: 'Cancel a run: nothing new starts, running model calls are aborted, late results are discarded',
  pause: 'Pause a run: running steps finish, no new step starts until it is resumed',
  resume: 'Resume a paused run',
  restart: 'Restart a failed or cancelled run: succeeded steps keep their outputs, the others run again',
};

const commandRoute = (command: RunCommand) =>
  orgRoute({
    method: 'post',
    path: `/orgs/{orgId}/runs/{runId}/${command}`,
    tags,
    operationId: `${command}Run`,
    summary: SUMMARIES[command],
    description: 'A 409 when the run’s state does not allow it (e.g. pausing a run that is not running).',
    access: canWriteRuns,
    conflicts: true,
    request: { params: RunParamsSchema },
    responses: { 200: jsonResponse(RunDetailSchema, 'The run after the command') },
  });

const stepRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs/{runId}/steps/{stepKey}',
  tags,
  operationId: 'getRunStep',
  summary: 'One step of a run: state, attempts, timings, tokens and output',
  access: canReadRuns,
  request: { params: StepParamsSchema },
  responses: { 200: jsonResponse(StepSchema, 'The step') },
});

const outputRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs/{runId}/steps/{stepKey}/output',
  tags,
  operationId: 'getRunStepOutput',
  summary: 'A step’s output alone (null until it succeeded)',
  access: canReadRuns,
  request: { params: StepParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({ key: z.string(), state: StepSchema.shape.state, output: z.unknown() }),
      'The output',
    ),
  },
});

const retryRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/runs/{runId}/steps/{stepKey}/retry',
  tags,
  operationId: 'retryRunStep',
  summary: 'Run one failed step again (and the steps after it that did not succeed)',
  description: 'A 409 unless the step failed.',
  access: canWriteRuns,
  conflicts: true,
  request: { params: StepParamsSchema },
  responses: { 200: jsonResponse(RunDetailSchema, 'The run after the retry') },
});

const cancel = commandRoute('cancel');
const pause = commandRoute('pause');
const resume = commandRoute('resume');
const restart = commandRoute('restart');

export const commandsRouter = createRouter()
  .openapi(cancel, async (c) =>
    c.json(toRunDetail(await commandRun(c.var.ctx, c.req.valid('param').runId, 'cancel')), 200),
  )
  .openapi(pause, async (c) =>
    c.json(toRunDetail(await commandRun(c.var.ctx, c.req.valid('param').runId, 'pause')), 200),
  )
  .openapi(resume, async (c) =>
    c.json(toRunDetail(await commandRun(c.var.ctx, c.req.valid('param').runId, 'resume')), 200),
  )
  .openapi(restart, async (c) =>
    c.json(toRunDetail(await commandRun(c.var.ctx, c.req.valid('param').runId, 'restart')), 200),
  )
  .openapi(stepRoute, async (c) => {
    const { runId, stepKey } = c.req.valid('param');
    return c.json(toStep(await getRunStep(c.var.ctx, runId, stepKey)), 200);
  })
  .openapi(outputRoute, async (c) => {
    const { runId, stepKey } = c.req.valid('param');
    const s = await getRunStep(c.var.ctx, runId, stepKey);
    return c.json({ key: s.key, state: s.state, output: s.output }, 200);
  })
  .openapi(retryRoute, async (c) => {
    const { runId, stepKey } = c.req.valid('param');
    return c.json(toRunDetail(await retryRunStep(c.var.ctx, runId, stepKey)), 200);
  });
