import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents } from '../../db/schema';
import { sha256Hex } from '../../lib/crypto';
import { toHex } from '../../lib/encoding';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { getProject } from './projects';

export type DocumentRow = typeof documents.$inferSelect;

/** Uploads are limited below the API's 1 MiB body limit, leaving room for the multipart framing. */
export const MAX_DOCUMENT_BYTES = 900 * 1024;

const TEXT_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/json',
  'application/yaml',
  'text/yaml',
];
/** Binary types and the bytes their files start with, so a mislabelled upload is refused. */
const BINARY_TYPES: Record<string, (b: Uint8Array) => boolean> = {
  'application/pdf': (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]),
  'image/webp': (b) => startsWith(b, [0x52, 0x49, 0x46, 0x46]) && toHex(b.slice(8, 12)) === '57454250',
};
export const DOCUMENT_TYPES = [...TEXT_TYPES, ...Object.keys(BINARY_TYPES)];

const startsWith = (b: Uint8Array, prefix: number[]) => prefix.every((x, i) => b[i] === x);

export const isText = (contentType: string) => TEXT_TYPES.includes(contentType);

const invalid = (path: string, message: string) =>
  new ApiError('validation', message, { errors: [{ path, message }] });

/** Checks size and that the bytes are what the content type says; returns the bare media type. */
export function checkContent(declared: string, bytes: Uint8Array, path = 'file'): string {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (!DOCUMENT_TYPES.includes(type))
    throw new ApiError(
      'unsupported_media_type',
      `Documents of type ${type || 'unknown'} are not accepted; use one of ${DOCUMENT_TYPES.join(', ')}`,
    );
  if (bytes.byteLength === 0) throw invalid(path, 'The document is empty');
  if (bytes.byteLength > MAX_DOCUMENT_BYTES)
    throw new ApiError('payload_too_large', `A document may be at most ${MAX_DOCUMENT_BYTES} bytes`);
  if (isText(type)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw invalid(path, `The content is not UTF-8 text, so it is not ${type}`);
    }
    if (type === 'application/json') {
      try {
        JSON.parse(text);
      } catch {
        throw invalid(path, 'The content is not valid JSON');
      }
    }
  } else if (!BINARY_TYPES[type]!(bytes)) {
    throw invalid(path, `The content is not a ${type} file`);
  }
  return type;
}

const objectKey = (orgId: string, projectId: string, docId: string) =>
  `${orgId}/${projectId}/${docId}/${newId('v')}`;

export async function getDocument(db: Db, orgId: string, projectId: string, id: string) {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.orgId, orgId), eq(documents.projectId, projectId), eq(documents.id, id)))
    .limit(1);
  if (!row) throw notFound('Document');
  return row;
}

export async function listDocuments(ctx: OrgCtx, projectId: string, page: PageRequest) {
  await getProject(ctx.db, ctx.orgId, projectId);
  return pageInOrg(ctx.db, documents, ctx.orgId, page, eq(documents.projectId, projectId), { desc: true });
}

/** Stores the bytes first; if the metadata write then fails, the orphaned object is removed. */
export async function uploadDocument(
  ctx: OrgCtx,
  projectId: string,
  input: { name: string; contentType: string; bytes: Uint8Array },
) {
  const { orgId } = ctx;
  await getProject(ctx.db, orgId, projectId);
  const contentType = checkContent(input.contentType, input.bytes);
  const now = Date.now();
  const id = newId('doc');
  const row: DocumentRow = {
    id,
    orgId,
    projectId,
    name: input.name,
    contentType,
    size: input.bytes.byteLength,
    sha256: toHex(await crypto.subtle.digest('SHA-256', input.bytes)),
    objectKey: objectKey(orgId, projectId, id),
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.env.DOCUMENTS.put(row.objectKey, input.bytes, { httpMetadata: { contentType } });
  try {
    await commit(
      ctx.db,
      [
        ctx.db.insert(documents).values(row),
        activityInsert(ctx, {
          orgId,
          action: 'document.uploaded',
          entityType: 'document',
          entityId: id,
          metadata: { project_id: projectId, name: row.name, size: row.size },
        }),
      ],
      { foreignKey: () => notFound('Project') },
    );
  } catch (err) {
    await ctx.env.DOCUMENTS.delete(row.objectKey);
    throw err;
  }
  return row;
}

export async function readDocument(ctx: OrgCtx, projectId: string, id: string) {
  const { orgId } = ctx;
  const doc = await getDocument(ctx.db, orgId, projectId, id);
  const object = await ctx.env.DOCUMENTS.get(doc.objectKey);
  if (!object) throw new ApiError('unavailable', 'The document’s content is missing from storage');
  return { doc, object };
}

export async function readText(ctx: OrgCtx, projectId: string, id: string) {
  const { doc, object } = await readDocument(ctx, projectId, id);
  if (!isText(doc.contentType))
    throw conflict(`This is a ${doc.contentType} document; only text documents can be read as text`);
  return { doc, content: await object.text() };
}

/**
 * Replaces a text document's content. The new bytes go to a new object, the row is switched to
 * it only if nobody replaced the content meanwhile, then the old object is removed.
 */
export async function replaceText(ctx: OrgCtx, projectId: string, id: string, content: string) {
  const { orgId } = ctx;
  const doc = await getDocument(ctx.db, orgId, projectId, id);
  if (!isText(doc.contentType))
    throw conflict(`This is a ${doc.contentType} document; only text documents can be replaced as text`);
  const bytes = new TextEncoder().encode(content);
  checkContent(doc.contentType, bytes, 'content');
  const key = objectKey(orgId, projectId, id);
  await ctx.env.DOCUMENTS.put(key, bytes, { httpMetadata: { contentType: doc.contentType } });
  const switched = and(eq(documents.id, id), eq(documents.objectKey, doc.objectKey));
  const [, [row]] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'document.updated',
        entityType: 'document',
        entityId: id,
        metadata: { project_id: projectId, size: bytes.byteLength },
      },
      sql`EXISTS (SELECT 1 FROM ${documents} WHERE ${switched})`,
    ),
    ctx.db
      .update(documents)
      .set({
        objectKey: key,
        size: bytes.byteLength,
        sha256: await sha256Hex(content),
        updatedAt: Date.now(),
      })
      .where(switched)
      .returning(),
  ]);
  if (!row) {
    await ctx.env.DOCUMENTS.delete(key);
    throw conflict('The document changed or was deleted meanwhile; reload it and try again');
  }
  await ctx.env.DOCUMENTS.delete(doc.objectKey);
  return row;
}

export async function deleteDocument(ctx: OrgCtx, projectId: string, id: string) {
  const { orgId } = ctx;
  const doc = await getDocument(ctx.db, orgId, projectId, id);
  await ctx.db.batch([
    activityInsert(ctx, {
      orgId,
      action: 'document.deleted',
      entityType: 'document',
      entityId: id,
      metadata: { project_id: projectId, name: doc.name },
    }),
    ctx.db.delete(documents).where(eq(documents.id, id)),
  ]);
  await ctx.env.DOCUMENTS.delete(doc.objectKey);
}
