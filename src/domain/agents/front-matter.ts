import { invalid } from './shared';

export interface MarkdownDocument {
  attributes: Record<string, string | number | boolean | string[]>;
  body: string;
}

/**
 * Splits a Markdown file into its front matter and body. The front matter is the common subset
 * of YAML that skill and mode files use: `key: value` lines with strings (quoted or not),
 * numbers, booleans and `[a, b]` lists. Anything richer is refused, rather than half-read.
 */
export function parseMarkdown(text: string, path = 'file'): MarkdownDocument {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = normalized.match(/^---\n([\s\S]*?)\n---(?:\n|$)/);
  if (!match) return { attributes: {}, body: normalized.trim() };
  const attributes: MarkdownDocument['attributes'] = {};
  for (const [i, line] of match[1]!.split('\n').entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const kv = line.match(/^([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)$/);
    if (!kv) throw invalid(path, `Front matter line ${i + 1} is not a "key: value" line`);
    attributes[kv[1]!] = scalar(kv[2]!.trim(), path, i + 1);
  }
  return { attributes, body: normalized.slice(match[0].length).trim() };
}

function scalar(raw: string, path: string, line: number): string | number | boolean | string[] {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) throw invalid(path, `Front matter line ${line}: an unclosed list`);
    const inner = raw.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((s) => unquote(s.trim()));
  }
  if (raw === '|' || raw === '>' || raw.startsWith('{'))
    throw invalid(path, `Front matter line ${line}: only single-line values are supported`);
  return unquote(raw);
}

const unquote = (s: string) =>
  (s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")) ? s.slice(1, -1) : s;
