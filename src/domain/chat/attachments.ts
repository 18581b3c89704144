import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { checkContent } from '../work/documents';
import type { Attachment } from './protocol';

/** Attachments are read into the model's context whole, so they are kept small. */
export const MAX_ATTACHMENT_BYTES = 256 * 1024;
export const ATTACHMENT_TYPES = ['text/plain', 'text/markdown', 'text/csv', 'application/json'];
export const MAX_ATTACHMENTS_PER_MESSAGE = 5;

/** Keys carry the organization and session, so an id from elsewhere simply names nothing. */
const keyOf = (orgId: string, sessionId: string, id: string) => `chat/${orgId}/${sessionId}/${id}`;

/** Stores a text-like file for a session's next messages; returns what a message refers to it by. */
export async function uploadAttachment(
  env: Env,
  orgId: string,
  sessionId: string,
  file: { name: string; type: string; bytes: Uint8Array },
): Promise<Attachment & { id: string }> {
  const type = file.type.split(';')[0]!.trim().toLowerCase();
  if (!ATTACHMENT_TYPES.includes(type))
    throw new ApiError(
      'unsupported_media_type',
      `Attachments of type ${type || 'unknown'} are not accepted; use one of ${ATTACHMENT_TYPES.join(', ')}`,
    );
  if (file.bytes.byteLength > MAX_ATTACHMENT_BYTES)
    throw new ApiError('payload_too_large', `An attachment may be at most ${MAX_ATTACHMENT_BYTES} bytes`);
  checkContent(type, file.bytes);
  const id = newId('att');
  const key = keyOf(orgId, sessionId, id);
  await env.DOCUMENTS.put(key, file.bytes, {
    httpMetadata: { contentType: type },
    customMetadata: { name: file.name },
  });
  return { id, name: file.name, content_type: type, size: file.bytes.byteLength, key };
}

/** The attachments a message names, each checked to exist in this session (422 naming the one that does not). */
export async function resolveAttachments(
  env: Env,
  orgId: string,
  sessionId: string,
  ids: string[],
): Promise<Attachment[]> {
  return Promise.all(
    ids.map(async (id, i) => {
      const key = keyOf(orgId, sessionId, id);
      const head = /^att_[0-9a-z]+$/.test(id) ? await env.DOCUMENTS.head(key) : null;
      if (!head)
        throw new ApiError('validation', `Attachment ${id} was not uploaded to this session`, {
          errors: [{ path: `attachments.${i}`, message: 'No such attachment in this session' }],
        });
      return {
        name: head.customMetadata?.name ?? id,
        content_type: head.httpMetadata?.contentType ?? 'text/plain',
        size: head.size,
        key,
      };
    }),
  );
}

/** The attachments' text, appended to the message they came with. */
export async function attachmentContext(env: Env, attachments: Attachment[]): Promise<string> {
  const parts = await Promise.all(
    attachments.map(async (a) => {
      const body = await env.DOCUMENTS.get(a.key);
      return body ? `\n\n--- Attached file: ${a.name} (${a.content_type}) ---\n${await body.text()}` : '';
    }),
  );
  return parts.join('');
}

/** Removes a session's files with the session. */
export async function deleteAttachments(env: Env, orgId: string, sessionId: string) {
  const prefix = `chat/${orgId}/${sessionId}/`;
  for (let cursor: string | undefined; ; ) {
    const page = await env.DOCUMENTS.list({ prefix, cursor });
    if (page.objects.length > 0) await env.DOCUMENTS.delete(page.objects.map((o) => o.key));
    if (!page.truncated) return;
    cursor = page.cursor;
  }
}
