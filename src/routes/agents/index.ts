import { createRouter } from '../../http/router';
import { agentsRouter } from './agents';
import { eventsRouter } from './events';
import { lifecycleRouter } from './lifecycle';
import { streamsRouter } from './streams';

/** Agents, their runtime (heartbeats, messages, events) and their live event hubs. */
export const agentRoutes = createRouter()
  .route('/', agentsRouter)
  .route('/', lifecycleRouter)
  .route('/', eventsRouter)
  .route('/', streamsRouter);
