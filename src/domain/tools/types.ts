import type { JSONSchema7 } from 'ai';
import { z } from 'zod';
import type { OrgCtx } from '../context';

/** Where a tool call comes from, recorded with it. */
export interface ToolCaller {
  chatSessionId?: string | null;
  runId?: string | null;
  stepKey?: string | null;
}

export interface ToolResult {
  /** false: the tool refused or failed; `output` then says why, for the model to read. */
  ok: boolean;
  output: unknown;
}

export interface ToolDefinition {
  description: string;
  inputSchema: JSONSchema7;
  /** The name people read (`memory.remember`, `<server>.<tool>`); the key is the model-safe name. */
  displayName: string;
}

/** One tool as the set knows it: its definition, its approval setting and how to run it. */
export interface ToolEntry {
  definition: ToolDefinition;
  requiresApproval: boolean;
  run(args: unknown, signal?: AbortSignal): Promise<ToolResult>;
}

/** What a built-in tool runs with: the agent acting in its organization, and the call's origin. */
export interface BuiltinCall {
  ctx: OrgCtx;
  agentId: string;
  caller: ToolCaller;
}

const inputSchemas = new WeakMap<z.ZodType, JSONSchema7>();

/**
 * A built-in tool's input schema as model APIs take it (JSON Schema draft 7). Made once per
 * schema: every reply offers the built-in tools, and converting them each time was a
 * millisecond of its start.
 */
export function inputSchemaOf(schema: z.ZodType): JSONSchema7 {
  let json = inputSchemas.get(schema);
  if (!json) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
    json = rest as JSONSchema7;
    inputSchemas.set(schema, json);
  }
  return json;
}

/** The arguments failed their schema: the model is told what to fix. */
export const invalidArgs = (error: z.ZodError): ToolResult => ({
  ok: false,
  output: {
    error: 'The arguments do not match the tool’s input schema',
    issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  },
});
