import { createApp } from './app';
import { runScheduled } from './cron';
import type { Env } from './env';
import { runQueue } from './queues';

export { AgentHub } from '../durable-objects/agent-hub';
export { ChatSession } from '../durable-objects/chat-session';
export { OrgStream } from '../durable-objects/org-stream';
export { PipelineRun } from '../durable-objects/pipeline-run';
export { RateLimiter } from '../durable-objects/rate-limiter';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => runQueue(batch, env),
  scheduled: (controller, env, ctx) =>
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
