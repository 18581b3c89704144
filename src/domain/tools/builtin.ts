import type { z } from 'zod';
import { ApiError } from '../../lib/errors';
import { RecallArgs, RememberArgs, recall, remember } from './builtin-memory';
import type { BuiltinToolName } from './builtin-names';
import {
  CommentArgs,
  CreateTicketArgs,
  commentTool,
  createTicketTool,
  TransitionArgs,
  transitionTool,
} from './builtin-tickets';
import { recordBuiltinCall } from './record';
import { type BuiltinCall, inputSchemaOf, invalidArgs, type ToolEntry, type ToolResult } from './types';

interface Builtin<S extends z.ZodType> {
  description: string;
  args: S;
  run(call: BuiltinCall, args: z.output<S>): Promise<unknown>;
}

const builtin = <S extends z.ZodType>(b: Builtin<S>) => b;

/** The tools every agent has, by display name. */
const BUILTINS: { [N in BuiltinToolName]: Builtin<z.ZodType> } = {
  'memory.remember': builtin({
    description:
      'Remember something for later conversations and runs: a fact, a preference, an event or a note. ' +
      'Set shared to make it knowledge every agent of the organization can recall.',
    args: RememberArgs,
    run: remember,
  }),
  'memory.recall': builtin({
    description: 'Search your memory and the organization’s shared knowledge; best matches first.',
    args: RecallArgs,
    run: recall,
  }),
  'tickets.create': builtin({
    description: 'Create a ticket (a unit of work) in a project, or in the system project.',
    args: CreateTicketArgs,
    run: createTicketTool,
  }),
  'tickets.comment': builtin({
    description: 'Add a comment to a ticket.',
    args: CommentArgs,
    run: commentTool,
  }),
  'tickets.transition': builtin({
    description:
      'Change a ticket’s status (todo, in_progress, review, done, blocked, cancelled), following its workflow.',
    args: TransitionArgs,
    run: transitionTool,
  }),
};

/** A refusal the platform would answer with a 4xx becomes a result the model can act on. */
async function runChecked(b: Builtin<z.ZodType>, call: BuiltinCall, raw: unknown): Promise<ToolResult> {
  const parsed = b.args.safeParse(raw ?? {});
  if (!parsed.success) return invalidArgs(parsed.error);
  try {
    return { ok: true, output: await b.run(call, parsed.data) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ok: false, output: { error: err.message, ...(err.errors ? { issues: err.errors } : {}) } };
  }
}

export function builtinTools(call: BuiltinCall, approvals: readonly string[]) {
  return (Object.entries(BUILTINS) as [BuiltinToolName, Builtin<z.ZodType>][]).map(
    ([name, b]): ToolEntry => ({
      definition: { displayName: name, description: b.description, inputSchema: inputSchemaOf(b.args) },
      requiresApproval: approvals.includes(name),
      async run(args) {
        const started = Date.now();
        const result = await runChecked(b, call, args);
        await recordBuiltinCall(call.ctx, call.agentId, call.caller, {
          tool: name,
          ok: result.ok,
          durationMs: Date.now() - started,
          args,
        });
        return result;
      },
    }),
  );
}
