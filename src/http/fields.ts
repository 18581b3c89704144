import { z } from '@hono/zod-openapi';
import { jsonObject } from '../lib/json-value';

/** Body fields shared by the agent-design resources (names, tags, descriptions, configuration, uploads). */
export const MAX_CONFIG_BYTES = 16 * 1024;

export const SlugNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    'Use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

export const TagSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9._+#-]*$/, 'Tags are lowercase letters, digits and ". _ + # -"');

export const TagsSchema = z
  .array(TagSchema)
  .max(20)
  .refine((tags) => new Set(tags).size === tags.length, 'Tags must not repeat')
  .openapi({ example: ['rust', 'backend'] });

/** A JSON object of bounded depth and size: what agents, templates and tools carry as configuration. */
export const JsonObjectSchema = (maxBytes = MAX_CONFIG_BYTES, description?: string) =>
  jsonObject({ maxBytes, description });

export const EmojiSchema = z.string().min(1).max(16).openapi({ example: '🦀' });
export const ColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'A colour is #RRGGBB')
  .openapi({ example: '#ff7a00' });
export const ModelSchema = z.string().min(1).max(200).openapi({ example: 'claude-sonnet-4-5' });
export const DescriptionSchema = z.string().max(2000);

export const MAX_UPLOAD_BYTES = 256 * 1024;

/** A Markdown file sent as multipart/form-data field `file`. */
export const MarkdownUploadSchema = z.object({
  file: z
    .custom<File>((v) => v instanceof File, 'Attach the Markdown file as the form field "file"')
    .refine((f) => f.size <= MAX_UPLOAD_BYTES, `The file must be at most ${MAX_UPLOAD_BYTES / 1024} KiB`)
    .openapi({ type: 'string', format: 'binary' }),
});

export const markdownUpload = (description: string) => ({
  required: true,
  description,
  content: { 'multipart/form-data': { schema: MarkdownUploadSchema } },
});
