/**
 * The built-in agent tools by display name. A role lists those that wait for approval
 * (`tools_requiring_approval`), so the names live apart from the tools' code, which imports roles.
 */
export const BUILTIN_TOOL_NAMES = [
  'memory.remember',
  'memory.recall',
  'tickets.create',
  'tickets.comment',
  'tickets.transition',
] as const;

export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];
