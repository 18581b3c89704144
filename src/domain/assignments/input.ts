import type { JsonValue } from '../../lib/json-value';

/** What an input template's strings may say as `{{name}}`, filled in when a run starts. */
export const TEMPLATE_VARIABLES = {
  scheduled_at: 'The slot the run is for (ISO 8601 UTC); for a manual trigger, when it was triggered',
  trigger: '`cron` or `manual`',
  assignment_id: 'The assignment’s id',
  project_id: 'The project’s id',
  pipeline_id: 'The pipeline’s id',
} as const;

export type TemplateVariables = Record<keyof typeof TEMPLATE_VARIABLES, string>;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

const isVariable = (name: string): name is keyof typeof TEMPLATE_VARIABLES => name in TEMPLATE_VARIABLES;

/** Every string in the value, keys excluded; the value's depth is bounded by its schema. */
function* strings(value: JsonValue): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) yield* strings(v);
}

/** Why the template cannot be filled in (a placeholder it does not know), or null. */
export function templateProblem(template: JsonValue): string | null {
  for (const s of strings(template))
    for (const [, name] of s.matchAll(PLACEHOLDER))
      if (name && !isVariable(name))
        return `Unknown placeholder {{${name}}}; use ${Object.keys(TEMPLATE_VARIABLES)
          .map((v) => `{{${v}}}`)
          .join(', ')}`;
  return null;
}

/** The run input: the template with every placeholder in its strings replaced. */
export function renderInput(template: JsonValue, vars: TemplateVariables): JsonValue {
  if (typeof template === 'string')
    return template.replace(PLACEHOLDER, (whole, name: string) => (isVariable(name) ? vars[name] : whole));
  if (Array.isArray(template)) return template.map((v) => renderInput(v, vars));
  if (template !== null && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderInput(v, vars)]));
  return template;
}
