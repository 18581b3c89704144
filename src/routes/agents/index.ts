import { createRouter } from '../../lib/router';
import { agentsRouter } from './agents';
import { eventsRouter } from './events';
import { lifecycleRouter } from './lifecycle';
import { mcpServersRouter } from './mcp-servers';
import { modesRouter } from './modes';
import { roleAssignmentsRouter } from './role-assignments';
import { rolesRouter } from './roles';
import { rulesRouter } from './rules';
import { skillsRouter } from './skills';
import { streamsRouter } from './streams';
import { templatesRouter } from './templates';

/** Agents, their design (roles, skills, modes, rules, templates, MCP tools) and their live event hubs. */
export const agentRoutes = createRouter()
  .route('/', agentsRouter)
  .route('/', lifecycleRouter)
  .route('/', eventsRouter)
  .route('/', streamsRouter)
  .route('/', templatesRouter)
  .route('/', rolesRouter)
  .route('/', roleAssignmentsRouter)
  .route('/', skillsRouter)
  .route('/', modesRouter)
  .route('/', rulesRouter)
  .route('/', mcpServersRouter);
