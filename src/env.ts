import type { Db } from './db/client';
import type { Principal } from './domain/auth/principal';
import type { RateLimits } from './domain/auth/rate-limits';
import type { OrgCtx } from './domain/context';
import type { OrgContext } from './domain/orgs/context';

/** Bindings and vars declared in wrangler.toml, plus secrets read from the environment. */
export interface Env {
  DB: D1Database;
  /** Project documents' bytes; their metadata lives in D1. */
  DOCUMENTS: R2Bucket;
  RATE_LIMITER: DurableObjectNamespace<import('../durable-objects/rate-limiter').RateLimiter>;
  /** One per agent: its event ring buffer and live subscribers. */
  AGENT_HUB: DurableObjectNamespace<import('../durable-objects/agent-hub').AgentHub>;
  /** One per organization: the org-wide live stream, fed by every agent hub. */
  ORG_STREAM: DurableObjectNamespace<import('../durable-objects/org-stream').OrgStream>;
  /** One per pipeline run: its step states and ordered event log. */
  PIPELINE_RUN: DurableObjectNamespace<import('../durable-objects/pipeline-run').PipelineRun>;
  /** Pipeline step attempts to execute (`foreman-steps`). */
  STEPS: Queue<import('./domain/runs/protocol').StepMessage>;
  /** One per chat session: its messages, the reply being streamed and its connected clients. */
  CHAT_SESSION: DurableObjectNamespace<import('../durable-objects/chat-session').ChatSession>;
  /** The pinned swagger-ui-dist package's files, which /docs serves (see wrangler.toml). */
  ASSETS: Fetcher;
  ENVIRONMENT: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  BUILD_ID: string;
  DEV_OUTBOX?: string;
  /** Development only: lets outbound URLs (MCP servers) reach private, loopback and link-local addresses. */
  ALLOW_PRIVATE_URLS?: string;
  /** "true" makes the built-in development model available in production (it always is in development). */
  DEV_MODEL?: string;
  /** Optional Workers AI binding; providers of kind `workers_ai` need it. */
  AI?: Ai;
  /** HMAC key(s) for JWTs: `kid:secret` pairs separated by commas; the first signs, all verify. */
  JWT_SECRET: string;
  /** AES-256 master keys as `version:base64` pairs separated by commas; the highest version wraps. */
  VAULT_MASTER_KEYS: string;
  /** `test` lowers the password hash cost for the test suite; ignored in production. */
  PASSWORD_HASH_COST?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    principal: Principal;
    org: OrgContext;
    /** The domain's view of an org-scoped request (see middleware/org). */
    ctx: OrgCtx;
    /** Set on rate-limited routes (see middleware/rate-limits). */
    rateLimits: RateLimits;
  };
}
