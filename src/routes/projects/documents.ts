import { z } from '@hono/zod-openapi';
import {
  DOCUMENT_TYPES,
  type DocumentRow,
  deleteDocument,
  getDocument,
  listDocuments,
  MAX_DOCUMENT_BYTES,
  readDocument,
  readText,
  replaceText,
  uploadDocument,
} from '../../domain/work/documents';
import { jsonBody, jsonResponse, noContent, responseHeaders } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { ProjectParamsSchema } from './schemas';

const tags = ['Documents'];

const DocumentParamsSchema = ProjectParamsSchema.extend({ documentId: pathId('documentId', 'doc_01hv…') });

const DocumentSchema = z
  .object({
    id: z.string().openapi({ example: 'doc_01hv…' }),
    project_id: z.string(),
    name: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Document');

const toDocument = (d: DocumentRow): z.infer<typeof DocumentSchema> => ({
  id: d.id,
  project_id: d.projectId,
  name: d.name,
  content_type: d.contentType,
  size: d.size,
  sha256: d.sha256,
  created_by: d.createdBy,
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/documents',
  tags,
  operationId: 'listDocuments',
  summary: 'The project’s documents, newest first',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: ProjectParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(DocumentSchema), 'A page of documents') },
});

const uploadRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/projects/{projectId}/documents',
  tags,
  operationId: 'uploadDocument',
  summary: `Upload a document (multipart \`file\`, at most ${MAX_DOCUMENT_BYTES} bytes)`,
  description: `Accepted types: ${DOCUMENT_TYPES.join(', ')}. The content must match its type (UTF-8 text, valid JSON, or the file signature of a binary type).`,
  access: { role: 'member', scope: 'projects:write' },
  idempotent: true,
  request: {
    params: ProjectParamsSchema,
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({
            file: z
              .custom<File>((v) => v instanceof File, 'Attach the document as a file part named `file`')
              .openapi({ type: 'string', format: 'binary' }),
            name: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .optional()
              .openapi({ description: 'Defaults to the file name' }),
          }),
        },
      },
    },
  },
  responses: { 201: jsonResponse(DocumentSchema, 'The document') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/documents/{documentId}',
  tags,
  operationId: 'getDocument',
  summary: 'A document’s metadata',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: DocumentParamsSchema },
  responses: { 200: jsonResponse(DocumentSchema, 'The document') },
});

const downloadRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/documents/{documentId}/download',
  tags,
  operationId: 'downloadDocument',
  summary: 'The document’s bytes, with its original content type',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: DocumentParamsSchema },
  responses: {
    200: {
      description: 'The content',
      headers: responseHeaders('ETag'),
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
});

const TextSchema = z.object({ content: z.string() });

const readTextRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/documents/{documentId}/content',
  tags,
  operationId: 'getDocumentText',
  summary: 'A text document’s content as a string (409 for binary documents)',
  access: { role: 'viewer', scope: 'projects:read' },
  conflicts: true,
  request: { params: DocumentParamsSchema },
  responses: {
    200: jsonResponse(TextSchema.extend({ document: DocumentSchema }), 'The content'),
  },
});

const replaceTextRoute = orgRoute({
  method: 'put',
  path: '/orgs/{orgId}/projects/{projectId}/documents/{documentId}/content',
  tags,
  operationId: 'replaceDocumentText',
  summary: 'Replace a text document’s content',
  access: { role: 'member', scope: 'projects:write' },
  conflicts: true,
  request: { params: DocumentParamsSchema, body: jsonBody(TextSchema) },
  responses: { 200: jsonResponse(DocumentSchema, 'The document') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/projects/{projectId}/documents/{documentId}',
  tags,
  operationId: 'deleteDocument',
  summary: 'Delete a document',
  access: { role: 'member', scope: 'projects:write' },
  request: { params: DocumentParamsSchema },
  responses: { 204: noContent },
});

export const documentsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const q = c.req.valid('query');
    const rows = await listDocuments(
      c.var.db,
      c.var.org.id,
      projectId,
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toDocument), 200);
  })
  .openapi(uploadRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const { file, name } = c.req.valid('form');
    const doc = await uploadDocument(ctxOf(c), c.var.org.id, projectId, {
      name: name ?? (file.name || 'document'),
      contentType: file.type,
      bytes: new Uint8Array(await file.arrayBuffer()),
    });
    return c.json(toDocument(doc), 201);
  })
  .openapi(getRoute, async (c) => {
    const { projectId, documentId } = c.req.valid('param');
    return c.json(toDocument(await getDocument(c.var.db, c.var.org.id, projectId, documentId)), 200);
  })
  .openapi(downloadRoute, async (c) => {
    const { projectId, documentId } = c.req.valid('param');
    const { doc, object } = await readDocument(ctxOf(c), c.var.org.id, projectId, documentId);
    return new Response(object.body, {
      headers: {
        'Content-Type': doc.contentType,
        'Content-Length': String(doc.size),
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.name)}`,
        ETag: `"${doc.sha256}"`,
      },
    });
  })
  .openapi(readTextRoute, async (c) => {
    const { projectId, documentId } = c.req.valid('param');
    const { doc, content } = await readText(ctxOf(c), c.var.org.id, projectId, documentId);
    return c.json({ content, document: toDocument(doc) }, 200);
  })
  .openapi(replaceTextRoute, async (c) => {
    const { projectId, documentId } = c.req.valid('param');
    const doc = await replaceText(ctxOf(c), c.var.org.id, projectId, documentId, c.req.valid('json').content);
    return c.json(toDocument(doc), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { projectId, documentId } = c.req.valid('param');
    await deleteDocument(ctxOf(c), c.var.org.id, projectId, documentId);
    return c.body(null, 204);
  });
