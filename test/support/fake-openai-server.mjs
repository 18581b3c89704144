// The fake OpenAI-compatible provider (`fake-openai.ts`) as a real HTTP server on loopback, for the
// benchmark and for trying Foreman by hand against a provider that needs no key and no network:
// `node test/support/fake-openai-server.mjs [port]`.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { fakeOpenAI, FAKE_OPENAI_KEY } = await tsImport('./fake-openai.ts', import.meta.url);

/** Listens on 127.0.0.1 (`port` 0 picks a free one); answers `{ url, key, close }`, `url` ending in `/v1`. */
export async function startFakeOpenAI({ port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(name, value);
    const response = await fakeOpenAI(
      new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return res.end();
    Readable.fromWeb(response.body).pipe(res);
  });
  // Many short benchmark calls: keep connections open between them as real providers do.
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  return {
    url,
    key: FAKE_OPENAI_KEY,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fake = await startFakeOpenAI({ port: Number(process.argv[2] ?? 0) });
  console.log(`Fake OpenAI-compatible provider at ${fake.url} (key ${fake.key})`);
}
