import type { StepExecutor } from './types';

/** A delay: the step waits in the run's object, whose alarm ends it; nothing holds a consumer meanwhile. */
export const waitStep: StepExecutor = async (x) => {
  const seconds = typeof x.step.config.seconds === 'number' ? x.step.config.seconds : 0;
  return {
    status: 'waiting',
    until: Date.now() + seconds * 1000,
    onTimeout: 'succeed',
    output: { waited_seconds: seconds },
    reason: `wait ${seconds}s`,
  };
};
