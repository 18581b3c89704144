import { approvalStep } from '../../approvals/step';
import { agentStep } from './agent';
import { councilStep } from './council';
import { externalStep } from './external';
import { httpStep } from './http';
import { transformStep } from './transform';
import type { StepExecutor } from './types';
import { waitStep } from './wait';

/**
 * The executor of each step kind. A kind implemented elsewhere (e.g. `approval`) adds its entry
 * here; a waiting step is finished by `resolveWaitingStep` (src/domain/runs/resolve.ts).
 */
export const STEP_EXECUTORS: Record<string, StepExecutor> = {
  agent: agentStep,
  council: councilStep,
  external: externalStep,
  http: httpStep,
  approval: approvalStep,
  transform: transformStep,
  wait: waitStep,
};
