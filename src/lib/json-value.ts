import { z } from '@hono/zod-openapi';
import { type LimitParams, sizeLabel } from '../http/validation-messages';
import { utf8 } from './encoding';

/** A value JSON can carry; unlike `unknown`, it can cross a Durable Object RPC boundary typed. */
export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
export interface JsonArray extends Array<JsonValue> {}

/** What a free-form JSON field may hold unless its schema says otherwise. */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * How deeply a parsed JSON value nests (a scalar is 0, `{}` and `[]` are 1), or `limit + 1` as soon
 * as it is known to be deeper. Walked with an explicit stack: the point is that a hostile value
 * thousands of levels deep cannot exhaust the call stack, as `JSON.stringify` or recursion would.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return depth;
    deepest = Math.max(deepest, depth);
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The same count on JSON text, without parsing it; brackets inside strings do not count. */
export function textNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return depth;
      deepest = Math.max(deepest, depth);
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

export interface JsonLimits {
  /** Levels of nesting allowed (objects and arrays); default 32. */
  maxDepth?: number;
  /** UTF-8 bytes of the value serialized as JSON; default 64 KiB. */
  maxBytes?: number;
  /** What the field holds; the limits are appended to it in the OpenAPI document. */
  description?: string;
}

function limitsOf({ maxDepth = MAX_JSON_DEPTH, maxBytes = MAX_JSON_BYTES, description }: JsonLimits) {
  const limits = `At most ${maxDepth} levels deep and ${sizeLabel(maxBytes)} as JSON.`;
  return { maxDepth, maxBytes, description: description ? `${description}. ${limits}` : limits };
}

/** Refuses, as an issue on the field itself, a value nested or sized past the limits. */
function withinLimits(maxDepth: number, maxBytes: number) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    if (value === undefined) return;
    if (nestingDepth(value, maxDepth) > maxDepth) {
      ctx.addIssue({ code: 'custom', params: { limit: 'depth', value: maxDepth } satisfies LimitParams });
      return;
    }
    // Safe to serialize now: the depth is bounded.
    if (utf8.encode(JSON.stringify(value)).byteLength > maxBytes)
      ctx.addIssue({ code: 'custom', params: { limit: 'size', value: maxBytes } satisfies LimitParams });
  };
}

/**
 * Any JSON value (object, array, string, number, boolean or null) of bounded depth and size: the
 * one schema for free-form fields (payloads, results, contexts), so no route can take one unchecked.
 * `undefined` passes, so that `.optional()` and required-ness stay with the caller.
 */
export function jsonValue(limits: JsonLimits = {}) {
  const l = limitsOf(limits);
  return z
    .unknown()
    .superRefine(withinLimits(l.maxDepth, l.maxBytes))
    .openapi({ description: l.description });
}

/** A JSON object of bounded depth and size (configuration, metadata, settings). */
export function jsonObject(limits: JsonLimits = {}, key: z.ZodString = z.string()) {
  const l = limitsOf(limits);
  return z
    .record(key, z.unknown())
    .superRefine(withinLimits(l.maxDepth, l.maxBytes))
    .openapi({ description: l.description });
}

/** Stored JSON that can be nested deeper than this is not re-encoded (see `readStoredJson`). */
const MAX_STORED_DEPTH = 512;

/**
 * Parses JSON text the database holds for a response. Text stored before nesting was bounded can be
 * too deep to encode again without exhausting the stack; such a value is returned as its JSON text,
 * so that reading it (or leasing it) answers instead of failing.
 */
export function readStoredJson(text: string): unknown {
  return textNestingDepth(text, MAX_STORED_DEPTH) > MAX_STORED_DEPTH ? text : JSON.parse(text);
}
