import type { OrgCtx } from '../context';
import type { ModelCaller, ModelPurpose } from './gateway';

/** Who is calling, as the AI call log records it, from a request's actor. */
export function callerOf(ctx: OrgCtx, purpose: ModelPurpose): ModelCaller {
  const { type, id } = ctx.actor;
  return {
    orgId: ctx.orgId,
    purpose,
    userId: type === 'user' ? id : null,
    apiKeyId: type === 'api_key' ? id : null,
    agentId: type === 'agent' ? id : null,
  };
}
