import type { z } from '@hono/zod-openapi';
import {
  createMemoryEntry,
  deleteMemoryEntry,
  getMemoryEntry,
  listMemoryEntries,
  updateMemoryEntry,
} from '../../domain/memory/entries';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  CreateEntrySchema,
  canRead,
  canWrite,
  EntryParams,
  FilterSchema,
  MemoryEntrySchema,
  scopeOf,
  tags,
  toEntry,
  UpdateEntrySchema,
} from './schemas';

const msOrNull = (at: string | null | undefined) => (at == null ? at : Date.parse(at));

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/memory',
  tags,
  operationId: 'listMemory',
  summary: 'Memory entries, newest first: per agent, shared, by kind, tags and time (expired ones never)',
  access: canRead,
  request: { params: OrgParamsSchema, query: PageQuerySchema.extend(FilterSchema.shape) },
  responses: { 200: jsonResponse(pageOf(MemoryEntrySchema), 'A page of entries') },
});

const createEntryRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/memory',
  tags,
  operationId: 'createMemoryEntry',
  summary: 'Write a memory entry for an agent, or (without agent_id) shared knowledge',
  access: canWrite,
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateEntrySchema) },
  responses: { 201: jsonResponse(MemoryEntrySchema, 'The entry') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/memory/{entryId}',
  tags,
  operationId: 'getMemoryEntry',
  summary: 'A memory entry',
  access: canRead,
  request: { params: EntryParams },
  responses: { 200: jsonResponse(MemoryEntrySchema, 'The entry') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/memory/{entryId}',
  tags,
  operationId: 'updateMemoryEntry',
  summary: 'Correct a memory entry: its content, kind, tags or expiry',
  access: canWrite,
  request: { params: EntryParams, body: jsonBody(UpdateEntrySchema) },
  responses: { 200: jsonResponse(MemoryEntrySchema, 'The entry') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/memory/{entryId}',
  tags,
  operationId: 'deleteMemoryEntry',
  summary: 'Delete a memory entry',
  access: canWrite,
  request: { params: EntryParams },
  responses: { 204: noContent },
});

export const memoryEntriesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const page = await paged(c.env, q, (p) => listMemoryEntries(c.var.ctx, scopeOf(q), p), toEntry);
    return c.json(page, 200);
  })
  .openapi(createEntryRoute, async (c) => {
    const b: z.infer<typeof CreateEntrySchema> = c.req.valid('json');
    const row = await createMemoryEntry(c.var.ctx, {
      agentId: b.agent_id,
      kind: b.kind,
      content: b.content,
      tags: b.tags,
      source: b.source,
      expiresAt: msOrNull(b.expires_at),
    });
    return c.json(toEntry(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const { entryId } = c.req.valid('param');
    return c.json(toEntry(await getMemoryEntry(c.var.db, c.var.ctx.orgId, entryId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { entryId } = c.req.valid('param');
    const b = c.req.valid('json');
    const row = await updateMemoryEntry(c.var.ctx, entryId, {
      kind: b.kind,
      content: b.content,
      tags: b.tags,
      expiresAt: msOrNull(b.expires_at),
    });
    return c.json(toEntry(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteMemoryEntry(c.var.ctx, c.req.valid('param').entryId);
    return c.body(null, 204);
  });
