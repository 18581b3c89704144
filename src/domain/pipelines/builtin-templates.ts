import type { ConcurrencyPolicy } from '../../db/schema';
import { type TemplateSnapshot, TemplateSnapshotSchema } from './snapshot';

export interface BuiltinTemplate {
  id: string;
  name: string;
  description: string;
  concurrency: ConcurrencyPolicy;
  snapshot: TemplateSnapshot;
}

/**
 * Templates every organization has. Their agent and council steps are unbound: the caller names
 * the agents (and council) when making a pipeline. Ids contain `-`, which generated ids never do.
 */
const builtins: BuiltinTemplate[] = [
  {
    id: 'plt_plan-implement-review',
    name: 'Plan → implement → review',
    description: 'An agent plans the work, another implements the plan, a third reviews the result.',
    concurrency: 'reject',
    snapshot: TemplateSnapshotSchema.parse({
      steps: [
        {
          key: 'plan',
          name: 'Plan',
          kind: 'agent',
          config: { prompt: 'Write a step-by-step plan for this task:\n\n{{input}}' },
        },
        {
          key: 'implement',
          name: 'Implement',
          kind: 'agent',
          config: { prompt: 'Carry out this plan:\n\n{{steps.plan.output}}\n\nThe task: {{input}}' },
        },
        {
          key: 'review',
          name: 'Review',
          kind: 'agent',
          config: {
            prompt:
              'Review this work against the plan. Reply APPROVED or list what must change.\n\nPlan:\n{{steps.plan.output}}\n\nWork:\n{{steps.implement.output}}',
          },
        },
      ],
      edges: [
        { from: 'plan', to: 'implement' },
        { from: 'implement', to: 'review' },
      ],
    }),
  },
  {
    id: 'plt_research-council',
    name: 'Research with a council',
    description:
      'An agent frames the question, a council of agents deliberates (members in parallel, the leader synthesises), and the answer is written up.',
    concurrency: 'allow',
    snapshot: TemplateSnapshotSchema.parse({
      steps: [
        {
          key: 'frame',
          name: 'Frame the question',
          kind: 'agent',
          config: { prompt: 'Restate this as precise research questions:\n\n{{input}}' },
        },
        {
          key: 'deliberate',
          name: 'Council deliberation',
          kind: 'council',
          config: { prompt: '{{steps.frame.output}}' },
        },
        {
          key: 'report',
          name: 'Report',
          kind: 'transform',
          config: { template: '# Research: {{input}}\n\n{{steps.deliberate.output}}' },
        },
      ],
      edges: [
        { from: 'frame', to: 'deliberate' },
        { from: 'deliberate', to: 'report' },
      ],
    }),
  },
  {
    id: 'plt_ticket-triage',
    name: 'Ticket triage with approval',
    description:
      'An agent triages the ticket; a person approves the triage; only an approved triage is recorded.',
    concurrency: 'enqueue',
    snapshot: TemplateSnapshotSchema.parse({
      steps: [
        {
          key: 'triage',
          name: 'Triage',
          kind: 'agent',
          config: {
            prompt:
              'Triage this ticket: priority (P0–P3), type and a one-line summary, as JSON {"priority","type","summary"}.\n\n{{run.ticket}}\n\n{{input}}',
          },
        },
        {
          key: 'approve',
          name: 'Approve the triage',
          kind: 'approval',
          config: { message: 'Apply this triage?\n\n{{steps.triage.output}}', expires_in_seconds: 86_400 },
        },
        {
          key: 'record',
          name: 'Record the triage',
          kind: 'transform',
          config: { template: '{{steps.triage.output}}' },
        },
      ],
      edges: [
        { from: 'triage', to: 'approve' },
        { from: 'approve', to: 'record', condition: { path: 'approved', equals: true } },
      ],
    }),
  },
];

const byId = new Map(builtins.map((t) => [t.id, t]));

export const BUILTIN_TEMPLATES: readonly BuiltinTemplate[] = builtins;
export const builtinTemplate = (id: string) => byId.get(id);
