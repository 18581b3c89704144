import { renderTemplate, templateScope } from '../template';
import type { StepExecutor } from './types';

/** Renders the step's template over the run's input and earlier outputs; no model involved. */
export const transformStep: StepExecutor = async (x) => {
  const template = typeof x.step.config.template === 'string' ? x.step.config.template : '';
  const scope = await templateScope(x.env, x.run, x.outputs, [template]);
  return { status: 'succeeded', output: renderTemplate(template, scope) };
};
