import { conflict, notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import type { OrgCtx } from '../context';
import { runObject } from './index-sync';
import type { CommandResult } from './protocol';
import { getRun, getRunRow } from './queries';

export type RunCommand = 'cancel' | 'pause' | 'resume' | 'restart';

const ACTIONS = {
  cancel: 'run.cancelled',
  pause: 'run.paused',
  resume: 'run.resumed',
  restart: 'run.restarted',
} as const;

async function recorded(
  ctx: OrgCtx,
  runId: string,
  command: RunCommand,
  result: CommandResult,
  stepKey?: string,
) {
  if (!result.ok) throw conflict(result.reason);
  await activityInsert(ctx, {
    orgId: ctx.orgId,
    action: ACTIONS[command],
    entityType: 'run',
    entityId: runId,
    metadata: stepKey ? { step_key: stepKey } : {},
  });
  return getRun(ctx, runId);
}

/** A lifecycle command; 409 when the run's state does not allow it (e.g. pausing a finished run). */
export async function commandRun(ctx: OrgCtx, runId: string, command: RunCommand) {
  await getRunRow(ctx.db, ctx.orgId, runId);
  const run = runObject(ctx.env, runId);
  const result =
    command === 'cancel'
      ? await run.cancel(`Cancelled by ${ctx.actor.type} ${ctx.actor.id}`)
      : command === 'pause'
        ? await run.pause()
        : command === 'resume'
          ? await run.resume()
          : await run.restart();
  return recorded(ctx, runId, command, result);
}

/** Runs one failed step again, with the steps after it that did not succeed. */
export async function retryRunStep(ctx: OrgCtx, runId: string, stepKey: string) {
  const detail = await getRun(ctx, runId);
  if (!detail.snapshot?.steps.some((s) => s.key === stepKey)) throw notFound('Step');
  return recorded(ctx, runId, 'restart', await runObject(ctx.env, runId).restart(stepKey), stepKey);
}

/** One step of a run, 404 when the run or the step does not exist. */
export async function getRunStep(ctx: OrgCtx, runId: string, stepKey: string) {
  const detail = await getRun(ctx, runId);
  const step = detail.snapshot?.steps.find((s) => s.key === stepKey);
  if (!step) throw notFound('Step');
  return step;
}
