import { eq } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { projects, tickets } from '../../db/schema';
import type { Env } from '../../env';
import type { JsonValue } from '../../lib/json-value';
import type { RunInfo } from './plan';

/** What step templates can name: `{{input}}`, `{{steps.<key>.output}}`, `{{run.ticket}}`, `{{run.project}}`. */
export interface TemplateScope {
  input: JsonValue;
  steps: Record<string, { output: JsonValue }>;
  run: { id: string; ticket: JsonValue; project: JsonValue };
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

function lookup(scope: TemplateScope, path: string): JsonValue | undefined {
  let v: unknown = scope;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v as JsonValue | undefined;
}

/** Renders placeholders: strings as they are, other values as JSON, unknown names as empty. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const v = lookup(scope, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** The scope of a step: the run's input, its succeeded steps' outputs, and (when named) its ticket and project. */
export async function templateScope(
  env: Env,
  run: RunInfo,
  outputs: Record<string, JsonValue>,
  templates: string[],
): Promise<TemplateScope> {
  const wants = (name: string) => templates.some((t) => t.includes(`run.${name}`));
  const db = createDb(env.DB);
  const [ticket] =
    run.ticketId && wants('ticket')
      ? await db
          .select({
            id: tickets.id,
            title: tickets.title,
            description: tickets.description,
            status: tickets.status,
          })
          .from(tickets)
          .where(eq(tickets.id, run.ticketId))
      : [];
  const [project] =
    run.projectId && wants('project')
      ? await db
          .select({ id: projects.id, name: projects.name, description: projects.description })
          .from(projects)
          .where(eq(projects.id, run.projectId))
      : [];
  return {
    input: run.input,
    steps: Object.fromEntries(Object.entries(outputs).map(([k, output]) => [k, { output }])),
    run: { id: run.runId, ticket: ticket ?? null, project: project ?? null },
  };
}
