import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { vi } from 'vitest';
import { z } from 'zod';

export const FIXTURE_HOST = 'mcp.fixture-tools.com';
export const FIXTURE_URL = `https://${FIXTURE_HOST}/mcp`;
export const FIXTURE_TOKEN = 'Bearer fixture-token';

/** A tool call the fixture server ran: plain data, readable from any context (a request is not). */
export interface FixtureCall {
  tool: string;
  args: Record<string, unknown>;
}

/** A real MCP server built with the official SDK, answering one request (stateless mode). */
async function serve(request: Request, calls: FixtureCall[]): Promise<Response> {
  if (request.headers.get('Authorization') !== FIXTURE_TOKEN)
    return new Response('unauthorized', { status: 401 });
  const server = new McpServer({ name: 'fixture', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Repeats the text', inputSchema: { text: z.string() } },
    async ({ text }) => {
      calls.push({ tool: 'echo', args: { text } });
      return { content: [{ type: 'text', text }] };
    },
  );
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => {
      calls.push({ tool: 'add', args: { a, b } });
      return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } };
    },
  );
  server.registerTool('explode', { description: 'Always fails' }, async () => {
    throw new Error('kaboom');
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return transport.handleRequest(request);
}

/**
 * Routes the platform's outbound requests for the fixture host to the fixture server (the Worker
 * runs in the test's isolate, so it shares `fetch`); every other request goes out as usual.
 * Returns the requests the fixture saw and the tool calls it ran.
 */
export function installMcpFixture() {
  const original = globalThis.fetch;
  const seen: Request[] = [];
  const calls: FixtureCall[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (new URL(request.url).host !== FIXTURE_HOST) return original(input as RequestInfo, init);
    seen.push(request.clone());
    return serve(request, calls);
  });
  return { seen, calls, restore: () => spy.mockRestore() };
}
