import type { OpenAPIHono } from '@hono/zod-openapi';
import pkg from '../../package.json';
import { responseHeaders } from './openapi';

/** Top-level tags, in the order /docs shows them; every operation's tags must be one of these. */
export const apiTags = [
  {
    name: 'Platform',
    description: 'Probes, version, this document, and the pages that explain problem types.',
  },
  {
    name: 'Auth',
    description:
      'Register, log in (with two-factor when on), refresh and log out; the current user; passwords.',
  },
  {
    name: 'Two-factor',
    description: 'TOTP enrolment, confirmation and removal, with single-use backup codes.',
  },
  {
    name: 'Organizations',
    description: 'Organizations the caller belongs to; every other resource lives in one.',
  },
  {
    name: 'Members',
    description: "An organization's people and their roles (owner, admin, member, viewer).",
  },
  { name: 'Invites', description: 'Invitations by email to join an organization with a role.' },
  { name: 'Teams', description: 'Named groups of members inside an organization.' },
  {
    name: 'API keys',
    description:
      'Keys for programs: scopes, masked listing, revoke, rotate with a grace period, roll, usage.',
  },
  {
    name: 'Vault',
    description:
      'Encrypted secrets (AES-256-GCM envelopes): names and metadata to all, values only by reveal.',
  },
  { name: 'Activity', description: 'The audit log of every change: who did what, when and from where.' },
  { name: 'Events', description: 'The catalog of domain event types that streams and webhooks carry.' },
  { name: 'Agents', description: 'Agents: create, configure, tag and match them.' },
  {
    name: 'Agent lifecycle',
    description: 'Start, stop, pause, resume and restart an agent (a state machine), and its heartbeat.',
  },
  {
    name: 'Agent events',
    description:
      "Agents' event ring buffers (read from a cursor, per agent or organization-wide) and messages to agents.",
  },
  {
    name: 'Agent streams',
    description: 'Live agent events over WebSocket or SSE, resumable from a position.',
  },
  { name: 'Agent templates', description: 'Reusable agent definitions, and agents created from them.' },
  {
    name: 'Agent roles',
    description:
      'Roles with prompt templates and variables, their skills, modes and MCP servers, and role assignments.',
  },
  {
    name: 'Skills',
    description: 'Skills (Markdown instructions, uploadable with YAML front matter) and credentials.',
  },
  {
    name: 'Modes',
    description: 'Modes of work (uploadable as Markdown), and mode sessions with their artifacts.',
  },
  { name: 'Agent rules', description: 'Rules that constrain what agents do.' },
  { name: 'MCP servers', description: 'MCP server configurations, their status and tools, and tool calls.' },
  {
    name: 'Projects',
    description: 'Projects: settings, ticket dependencies, dependency graph and execution order.',
  },
  { name: 'Documents', description: "A project's documents, stored in R2." },
  {
    name: 'Tickets',
    description:
      'Tickets with a status workflow, priorities, assignees, comments, subtasks and dependencies.',
  },
  {
    name: 'Jobs',
    description: 'A job queue for external workers: submit, claim with leases, heartbeat, complete.',
  },
  {
    name: 'OpenAI-compatible API',
    description:
      'OpenAI’s chat completions and model list, served by the model gateway: point an OpenAI client at `/api/v1/orgs/{orgId}/openai/v1`.',
  },
  {
    name: 'Pipelines',
    description:
      'Pipelines: DAGs of steps and edges, every change an immutable version, one default per project or organization.',
  },
  {
    name: 'Pipeline templates',
    description: 'Built-in and organization pipeline templates, and pipelines made from them.',
  },
  { name: 'Councils', description: 'Councils of agents: members answer in parallel, a leader synthesises.' },
  {
    name: 'Pipeline assignments',
    description:
      "A project's pipelines on cron schedules in a time zone: next fire times, missed-slot policies, manual triggers.",
  },
  {
    name: 'Approvals',
    description: 'Decisions approval steps wait for: by a member, or without a login through a public link.',
  },
  {
    name: 'Models',
    description:
      'Model providers (keys in the vault), the model registry, routing, health, budgets, AI call logs and usage: the gateway every model call goes through.',
  },
  {
    name: 'Runs',
    description:
      'Pipeline runs: one Durable Object per run owns its steps and ordered event log; steps execute through the STEPS queue. Commands, step outputs and live streams.',
  },
  {
    name: 'Chat',
    description:
      'Chat sessions with agents: streamed replies with tools and approvals, shared sessions with live participants. A session is visible to its creator and its participants.',
  },
  {
    name: 'Memory',
    description:
      'Agents’ memory and the organization’s shared knowledge: entries, full-text search and stats.',
  },
  { name: 'Development', description: 'Local development helpers, off in production.' },
];

/** The document's top level; routes and components fill in the rest. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Foreman API',
    version: pkg.version,
    description:
      'Control plane for teams of AI agents. Errors are RFC 9457 problem details whose `type` is a page ' +
      'on this server (all listed at `/problems`). Organization-scoped resources live under ' +
      '`/api/v1/orgs/{orgId}`: a user acts in any organization they belong to, an API key only in its own.',
    license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  tags: apiTags,
};

type Document = ReturnType<OpenAPIHono['getOpenAPI31Document']>;
interface Response {
  $ref?: string;
  headers?: Record<string, unknown>;
}
interface Operation {
  parameters?: { in?: string; name?: string }[];
  responses?: Record<string, Response>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/**
 * The whole document. The headers that middleware puts on responses are declared here, in one
 * place, as the middleware sets them: `X-Request-Id` on every response, `Idempotent-Replayed`
 * on the successes of every operation that takes an `Idempotency-Key`.
 */
export function buildOpenApiDocument(app: OpenAPIHono<never>): Document {
  const doc = app.getOpenAPI31Document(openApiDocument);
  for (const item of Object.values(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      if (!METHODS.has(method)) continue;
      const idempotent = op.parameters?.some(
        (p) => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key',
      );
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (response.$ref) continue;
        response.headers = {
          ...responseHeaders('X-Request-Id'),
          ...response.headers,
          ...(idempotent && status.startsWith('2') ? responseHeaders('Idempotent-Replayed') : {}),
        };
      }
    }
  }
  return doc;
}
