import type { OrgCtx } from '../context';

/** The top memory entries for a message, as prompt text; empty until memory search exists. */
export async function recallForMessage(_ctx: OrgCtx, _agentId: string, _text: string): Promise<string> {
  return '';
}
