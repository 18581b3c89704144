import { createRouter } from '../../http/router';
import { queueRoutes } from './queue';
import { resultRoutes } from './results';
import { statsRoutes } from './stats';

// `/jobs/stats` and `/jobs/workers` are registered before `/jobs/{jobId}`, which would take them.
export const jobsRouter = createRouter()
  .route('/', statsRoutes)
  .route('/', queueRoutes)
  .route('/', resultRoutes);
