import { z } from '@hono/zod-openapi';
import {
  HEARTBEAT_STATUSES,
  heartbeat,
  LIFECYCLE,
  type LifecycleCommand,
  runLifecycleCommand,
} from '../../domain/agents/lifecycle';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { ctxOf } from '../../http/request';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canWriteAgents } from './agents';
import { AgentParamsSchema, AgentSchema, toAgent } from './schemas';

const tags = ['Agent lifecycle'];
const asRuntime: Access = { role: 'member', scope: 'agents:runtime' };

const summaries: Record<LifecycleCommand, string> = {
  start: 'Start a stopped, offline or failed agent (→ idle)',
  stop: 'Stop an agent (→ stopped)',
  pause: 'Pause an idle or working agent (→ paused)',
  resume: 'Resume a paused agent (→ idle)',
  restart: 'Restart a running, paused, failed or offline agent (→ idle)',
};

const commandRoute = (command: LifecycleCommand) =>
  orgRoute({
    method: 'post',
    path: `/orgs/{orgId}/agents/{agentId}/${command}`,
    tags,
    operationId: `${command}Agent`,
    summary: summaries[command],
    description:
      `Allowed when the agent is ${LIFECYCLE[command].from.join(', ')}; otherwise 409 names its current state. ` +
      'Publishes `agent.status` and writes an activity entry.',
    access: canWriteAgents,
    conflicts: true,
    request: { params: AgentParamsSchema },
    responses: {
      200: jsonResponse(AgentSchema, 'The agent in its new state'),
    },
  });

const heartbeatRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agents/{agentId}/heartbeat',
  tags,
  operationId: 'agentHeartbeat',
  summary: 'An agent runtime reports it is alive, optionally with its status and current task',
  description:
    'The answer is the agent as the platform sees it: a runtime whose agent is paused or stopped should ' +
    'pause or stop. Agents running without a heartbeat for 3 minutes are marked offline by housekeeping.',
  access: asRuntime,
  conflicts: true,
  request: {
    params: AgentParamsSchema,
    body: jsonBody(
      z
        .object({
          status: z.enum(HEARTBEAT_STATUSES).optional(),
          current_task: z.string().max(500).nullable().optional(),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonResponse(AgentSchema, 'The agent') },
});

const router = createRouter();
for (const command of Object.keys(LIFECYCLE) as LifecycleCommand[]) {
  router.openapi(commandRoute(command), async (c) => {
    const agent = await runLifecycleCommand(ctxOf(c), c.var.org.id, c.req.valid('param').agentId, command);
    return c.json(toAgent(agent), 200);
  });
}

export const lifecycleRouter = router.openapi(heartbeatRoute, async (c) => {
  const agent = await heartbeat(ctxOf(c), c.var.org.id, c.req.valid('param').agentId, c.req.valid('json'));
  return c.json(toAgent(agent), 200);
});
