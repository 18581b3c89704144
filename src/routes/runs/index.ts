import { createRouter } from '../../http/router';
import { commandsRouter } from './commands';
import { runEventsRouter } from './events';
import { runsRouter } from './runs';

export const runRouter = createRouter()
  .route('/', runsRouter)
  .route('/', commandsRouter)
  .route('/', runEventsRouter);
