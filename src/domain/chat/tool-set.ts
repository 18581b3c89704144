import type { Env } from '../../env';
import type { ReplyRequest } from './context';
import type { ChatToolSet } from './tools';

/** The tools of the agent a reply speaks for, acting as the message's sender. */
export async function toolsForReply(_env: Env, _request: ReplyRequest): Promise<ChatToolSet> {
  return {
    definitions: {},
    requiresApproval: () => false,
    execute: async (name) => {
      throw new Error(`No tool named ${name}`);
    },
  };
}
