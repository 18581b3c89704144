import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import pkg from '../../../../package.json';
import type { Env } from '../../../env';
import { checkOutboundUrl, guardedFetch } from './outbound-url';

/** A server that does not answer within this long is reported as failing. */
export const MCP_TIMEOUT_MS = 15_000;

/**
 * The SDK validates tools' structured output with Ajv by default, which compiles code at run
 * time, and Workers do not allow that. The platform relays a tool's result unchanged to the
 * caller, so it passes output through; checking it against the tool's schema is the caller's
 * business.
 */
const relayOutput: jsonSchemaValidator = {
  getValidator: () => (input: unknown) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

export interface McpTarget {
  url: string;
  headers: Record<string, string>;
}

/** Connects with the official MCP SDK (Streamable HTTP), runs `fn`, and always closes. */
export async function withMcpClient<T>(
  env: Env,
  target: McpTarget,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const url = checkOutboundUrl(env, target.url);
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: guardedFetch(env),
    requestInit: { headers: target.headers },
  });
  const client = new Client({ name: 'foreman', version: pkg.version }, { jsonSchemaValidator: relayOutput });
  try {
    await client.connect(transport, { timeout: MCP_TIMEOUT_MS });
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}
