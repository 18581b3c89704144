import { z } from '@hono/zod-openapi';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, uploadAttachment } from '../../domain/chat/attachments';
import { getSession } from '../../domain/chat/sessions';
import { jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canWriteChat, SessionParamsSchema, tags, VISIBILITY } from './schemas';

const uploadRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/attachments',
  tags,
  operationId: 'uploadChatAttachment',
  summary: `Upload a text-like file (multipart \`file\`, at most ${MAX_ATTACHMENT_BYTES} bytes) to attach to a message`,
  description: `${VISIBILITY} Accepted types: ${ATTACHMENT_TYPES.join(', ')}. Send its \`id\` in a message's \`attachments\`; its text is then part of the model's context for that message.`,
  access: canWriteChat,
  idempotent: true,
  request: {
    params: SessionParamsSchema,
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({
            file: z
              .custom<File>((v) => v instanceof File, 'Attach the file as a part named `file`')
              .openapi({ type: 'string', format: 'binary' }),
          }),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(
      z
        .object({ id: z.string(), name: z.string(), content_type: z.string(), size: z.number().int() })
        .openapi('ChatAttachment'),
      'The attachment',
    ),
  },
});

export const attachmentsRouter = createRouter().openapi(uploadRoute, async (c) => {
  const { sessionId } = c.req.valid('param');
  await getSession(c.var.ctx, sessionId);
  const { file } = c.req.valid('form');
  const a = await uploadAttachment(c.env, c.var.ctx.orgId, sessionId, {
    name: file.name,
    type: file.type,
    bytes: new Uint8Array(await file.arrayBuffer()),
  });
  return c.json({ id: a.id, name: a.name, content_type: a.content_type, size: a.size }, 201);
});
