import { parseDocument, type YAMLError } from 'yaml';
import { invalid } from '../agents/shared';

export interface MarkdownDocument {
  attributes: Record<string, unknown>;
  body: string;
}

/**
 * Splits a Markdown file into its front matter and body. The front matter is YAML, as in common
 * SKILL.md files (folded and literal strings, block lists, nested maps), whose top level is a map.
 * YAML 1.2's core schema keeps `yes`, `no` and dates as the strings they look like.
 */
export function parseMarkdown(text: string, path = 'file'): MarkdownDocument {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = normalized.match(/^---\n([\s\S]*?)\n---(?:\n|$)/);
  if (!match) return { attributes: {}, body: normalized.trim() };
  const body = normalized.slice(match[0].length).trim();
  const doc = parseDocument(match[1]!, { schema: 'core', uniqueKeys: true });
  const [error] = doc.errors;
  if (error) throw invalid(path, `The front matter is not valid YAML: ${explain(error)}`);
  let value: unknown;
  try {
    // Aliases are capped so that a few lines cannot expand into a huge value.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw invalid(path, `The front matter is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return { attributes: {}, body };
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(path, 'The front matter must be a map of "key: value" entries');
  return { attributes: value as Record<string, unknown>, body };
}

/** The parser's message, with the line counted in the whole file (the opening `---` is line 1). */
function explain(error: YAMLError): string {
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const line = error.linePos?.[0].line;
  return line === undefined ? message : `line ${line + 1}: ${message}`;
}
