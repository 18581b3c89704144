/**
 * Role prompts are templates with `{{variable}}` placeholders. The catalog says which variables
 * the platform fills when it builds an agent's prompt; preview renders a template with a given
 * context and reports placeholders that are not in the catalog or have no value.
 */
export const PROMPT_VARIABLES = {
  agent: {
    'agent.name': 'The agent’s unique name',
    'agent.display_name': 'The agent’s display name',
    'agent.description': 'The agent’s description',
    'agent.model': 'The model the agent runs on',
    'agent.tags': 'The agent’s tags, comma-separated',
  },
  role: {
    'role.name': 'The role’s name',
    'role.description': 'The role’s description',
  },
  organization: {
    'org.id': 'The organization’s id',
    'org.name': 'The organization’s name',
  },
  project: {
    'project.id': 'The project the agent works in',
    'project.name': 'The project’s name',
    'project.description': 'The project’s description',
  },
  task: {
    'task.id': 'The ticket or task at hand',
    'task.title': 'Its title',
    'task.description': 'Its description',
  },
  guidance: {
    'skills.instructions': 'The combined instructions of the skills active for the role',
    rules: 'The rules that apply to the agent, one per line',
    'mode.instructions': 'The instructions of the mode the agent is in',
  },
  time: {
    'now.date': 'Today’s date (UTC, YYYY-MM-DD)',
    'now.datetime': 'The current time (UTC, ISO 8601)',
  },
} as const satisfies Record<string, Record<string, string>>;

const KNOWN = new Set<string>(Object.values(PROMPT_VARIABLES).flatMap((group) => Object.keys(group)));
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

export type PromptContext = Record<string, unknown>;

/** `{ agent: { name: 'x' } }` and `{ 'agent.name': 'x' }` are the same context. */
function flatten(context: PromptContext, prefix = '', into = new Map<string, string>()) {
  for (const [key, value] of Object.entries(context)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      flatten(value as PromptContext, name, into);
    else if (Array.isArray(value)) into.set(name, value.map(String).join(', '));
    else if (value !== null && value !== undefined) into.set(name, String(value));
  }
  return into;
}

export interface Preview {
  rendered: string;
  /** Every placeholder in the template, in order of first use. */
  variables: string[];
  /** Placeholders that are not in the catalog (often a typo); rendered if the context has them. */
  unknown: string[];
  /** Catalog variables the template uses that the context gave no value for; left as they are. */
  missing: string[];
}

export function previewPrompt(template: string, context: PromptContext): Preview {
  const values = flatten(context);
  const variables = [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  const rendered = template.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
  return {
    rendered,
    variables,
    unknown: variables.filter((v) => !KNOWN.has(v)),
    missing: variables.filter((v) => KNOWN.has(v) && !values.has(v)),
  };
}
