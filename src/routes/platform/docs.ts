import { swaggerUI } from '@hono/swagger-ui';
import swaggerUiDist from 'swagger-ui-dist/package.json';
import { createRouter } from '../../http/router';
import { notFound } from '../../lib/errors';

/**
 * Swagger UI's files come from the pinned swagger-ui-dist package through the ASSETS binding,
 * so /docs works without internet. Their path carries the version: they can be cached forever.
 */
export const SWAGGER_UI_PATH = `/docs/swagger-ui-dist@${swaggerUiDist.version}`;
const SERVED_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

export const docsRouter = createRouter()
  .get(
    '/docs',
    swaggerUI({
      url: '/openapi.json',
      title: 'Foreman API',
      baseUrl: '/docs',
      version: swaggerUiDist.version,
      // The default would send the document to an online validator.
      validatorUrl: 'none',
    }),
  )
  .get(`${SWAGGER_UI_PATH}/:file`, async (c) => {
    const file = c.req.param('file');
    if (!SERVED_FILES.has(file)) throw notFound('File');
    const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    if (!asset.ok) throw notFound('File');
    return new Response(asset.body, {
      headers: {
        'Content-Type': asset.headers.get('Content-Type') ?? 'application/octet-stream',
        'Cache-Control': 'public, max-age=31536000, immutable',
      },
    });
  });
