import type { JSONSchema7 } from 'ai';

/** The tools a reply may call: definitions for the model, and how the session runs them. */
export interface ChatToolSet {
  definitions: Record<string, { description?: string; inputSchema: JSONSchema7 }>;
  requiresApproval(name: string): boolean;
  execute(name: string, args: unknown): Promise<unknown>;
}
