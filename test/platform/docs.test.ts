import { describe, expect, it } from 'vitest';
import { problemKinds } from '../../src/lib/errors';
import { call, expectProblem } from '../support';

/** The URLs of a page's stylesheets and scripts. */
const assetUrls = (html: string) =>
  [...html.matchAll(/<(?:link[^>]+href|script[^>]+src)="([^"]+)"/g)].map((m) => m[1]!);

describe('interactive documentation', () => {
  it('serves /docs with only same-origin, version-pinned assets', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(res.text).toContain('/openapi.json');
    const urls = assetUrls(res.text);
    expect(urls.length).toBe(2);
    for (const url of urls) expect(url).toMatch(/^\/docs\/swagger-ui-dist@\d+\.\d+\.\d+\//);
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it('serves each asset of /docs with its content type and a long cache', async () => {
    const urls = assetUrls((await call('/docs')).text);
    for (const url of urls) {
      const res = await call(url);
      expect(res.status, url).toBe(200);
      expect(res.text.length).toBeGreaterThan(10_000);
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('Content-Type'), url).toMatch(
        url.endsWith('.css') ? /^text\/css/ : /^(application|text)\/javascript/,
      );
    }
  });

  it('serves no other file of the Swagger UI package', async () => {
    const base = assetUrls((await call('/docs')).text)[0]!.replace(/[^/]+$/, '');
    for (const file of ['index.html', 'package.json', 'swagger-ui-bundle.js.map'])
      expectProblem(await call(`${base}${file}`), 404);
  });
});

describe('index', () => {
  it('says what this server is and links to the docs, the document and the health probe', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Foreman API',
      description: expect.stringContaining('AI agents'),
      links: { docs: '/docs', openapi: '/openapi.json', health: '/health' },
    });
    for (const path of Object.values<string>(res.json.links).filter((p) => p !== '/api/v1'))
      expect((await call(path)).status, path).toBe(200);
  });
});

describe('problem types', () => {
  it('makes the type of a problem the URL of a page on this server that explains it', async () => {
    const problem = expectProblem(await call('/nothing-here'), 404);
    expect(problem.type).toBe('https://foreman.test/problems/not-found');
    const page = await call(new URL(problem.type).pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect(page.text).toContain('<h1>Not found</h1>');
    expect(page.text).toContain(problemKinds.not_found.description.slice(0, 40));
  });

  it('lists every problem type, and each listed page answers', async () => {
    const list = await call('/problems');
    expect(list.status).toBe(200);
    const links = [...list.text.matchAll(/href="(\/problems\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBe(Object.keys(problemKinds).length);
    for (const link of links) expect((await call(link)).status, link).toBe(200);
  });

  it('answers an unknown problem type with 404', async () => {
    expectProblem(await call('/problems/no-such-problem'), 404);
  });
});
