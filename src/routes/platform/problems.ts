import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../http/openapi';
import { createRouter } from '../../http/router';
import { notFound, type ProblemKind, problemKinds, problemPath } from '../../lib/errors';

const tags = ['Platform'];
const kinds = Object.keys(problemKinds) as ProblemKind[];
const kindBySlug = new Map(kinds.map((kind) => [problemPath(kind).replace('/problems/', ''), kind]));

const htmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
});

const listRoute = createRoute({
  method: 'get',
  path: '/problems',
  tags,
  operationId: 'listProblemTypes',
  summary: 'Every problem type the API answers with (the targets of problem `type` URLs)',
  security: [],
  responses: { 200: htmlResponse('A page listing each problem type'), ...errorResponses() },
});

const getRoute = createRoute({
  method: 'get',
  path: '/problems/{kind}',
  tags,
  operationId: 'getProblemType',
  summary: 'What one problem type means and what a client should do about it',
  security: [],
  request: {
    params: z.object({
      kind: z.string().openapi({
        param: { name: 'kind', in: 'path' },
        example: 'validation',
        enum: [...kindBySlug.keys()],
      }),
    }),
  },
  responses: { 200: htmlResponse('The page of one problem type'), ...errorResponses(404) },
});

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
/** The catalog writes names of fields and headers in backticks, as Markdown does. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Foreman API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}code{background:#f2f2f2;padding:0 .2em}</style>
</head>
<body>
${body}
</body>
</html>
`;

const problemPage = (kind: ProblemKind) => {
  const { status, title, description } = problemKinds[kind];
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>HTTP status <strong>${status}</strong> · problem type <code>${problemPath(kind)}</code></p>
<p>${prose(description)}</p>
<p>Every error of the API is an RFC 9457 problem (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code> and <code>request_id</code>. <a href="/problems">All problem types</a> · <a href="/docs">API documentation</a></p>`,
  );
};

const listPage = page(
  'Problem types',
  `<h1>Problem types</h1>
<p>The <code>type</code> of every error the Foreman API answers with is the URL of one of these pages.</p>
<ul>
${kinds.map((kind) => `<li><a href="${problemPath(kind)}">${escapeHtml(problemKinds[kind].title)}</a> (${problemKinds[kind].status})</li>`).join('\n')}
</ul>`,
);

export const problemsRouter = createRouter()
  .openapi(listRoute, (c) => c.html(listPage, 200))
  .openapi(getRoute, (c) => {
    const kind = kindBySlug.get(c.req.valid('param').kind);
    if (!kind) throw notFound('Problem type');
    return c.html(problemPage(kind), 200);
  });
