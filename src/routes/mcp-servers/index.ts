import { createRouter } from '../../http/router';
import { mcpServerRoutes } from './servers';
import { mcpToolRoutes } from './tools';

/** MCP servers, and connecting to them, their tools and the merged configuration runtimes read. */
export const mcpServersRouter = createRouter().route('/', mcpServerRoutes).route('/', mcpToolRoutes);
