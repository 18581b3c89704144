import { createRouter } from '../../http/router';
import { healthRouter } from './health';
import { modelsRouter } from './models';
import { routingRouter } from './routing';

// Fixed paths (`models/routing`, `models/health`) before `models/{modelId}`, which would match them.
export const modelRoutes = createRouter()
  .route('/', routingRouter)
  .route('/', healthRouter)
  .route('/', modelsRouter);
