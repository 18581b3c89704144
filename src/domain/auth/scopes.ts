/**
 * What an API key may do. Each route names the scope it needs; `*` grants them all.
 * Routes that only an owner may call are never open to API keys.
 */
export const SCOPES = {
  'org:read': 'Read the organization, its members, teams and invites',
  'org:write': 'Rename the organization or change its slug',
  'members:write': 'Add, change and remove members, invites and teams',
  'api_keys:read': 'List API keys and their usage',
  'api_keys:write': 'Create, change, rotate and revoke API keys',
  'vault:read': 'List vault items and their metadata',
  'vault:write': 'Store, update, rotate and delete vault items',
  'vault:reveal': 'Reveal vault item values',
  'activity:read': 'Read the activity log and its statistics',
  'agents:read':
    'Read agents, their events and live streams, templates and their design (roles, skills, modes, rules, MCP servers)',
  'agents:write': 'Create, change and delete agents and templates, run lifecycle commands and send messages',
  'agents:runtime':
    'Act as an agent runtime: heartbeats, publishing agent events, merged configuration, MCP tool calls',
  'agents:design':
    'Create, change and delete roles, assignments, skills (and their credentials), modes, rules and MCP servers',
  'projects:read': 'Read projects, their settings, documents, dependency graph and execution order',
  'projects:write': 'Create, change and delete projects and their documents',
  'tickets:read': 'Read tickets, comments, dependencies, the board and search',
  'tickets:write': 'Create, change, claim, move and delete tickets, comments and dependencies',
  'jobs:read': 'Read jobs, queue statistics and workers',
  'jobs:write': 'Submit jobs, and claim, heartbeat, complete and fail them as a worker',
  'pipelines:read': 'Read pipelines, their versions, steps and edges, pipeline templates and councils',
  'pipelines:write':
    'Create, change and delete pipelines, their steps and edges, pipeline templates and councils',
  'memory:read': 'Read, search and count agents’ memory and shared knowledge',
  'memory:write': 'Write, correct and delete memory entries',
  'runs:read': 'Read pipeline runs, their steps, outputs and events, and follow their live streams',
  'runs:write': 'Start pipeline runs and cancel, pause, resume, restart or retry them',
  'chat:read': 'Read chat sessions the key created, their messages and live streams',
  'chat:write': 'Create chat sessions, send messages, cancel replies and answer tool approvals',
  'models:read': 'Read model providers, models, routing, health, AI call logs, usage and budgets',
  'models:write': 'Create, change and delete model providers (and their keys), models, routing and budgets',
  'models:call': 'Call models through the gateway (model tests, the OpenAI-compatible API)',
  '*': 'Everything an API key may do',
} as const;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as [Scope, ...Scope[]];

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
export const roleAtLeast = (role: Role, needed: Role) => RANK[role] >= RANK[needed];
export const hasScope = (scopes: readonly string[], needed: Scope) =>
  scopes.includes('*') || scopes.includes(needed);
