// Bundled in place of the MCP SDK's Ajv validator (see `[alias]` in wrangler.toml). The client
// imports it as its default, but Ajv compiles code at run time, which Workers forbid, so Foreman
// always passes its own validator (src/domain/agent-design/mcp/client.ts) and Ajv is dead weight.
export class AjvJsonSchemaValidator {
  constructor() {
    throw new Error('Ajv is not bundled into the Worker: give the MCP client a jsonSchemaValidator');
  }
}
