import { createRouter } from '../../http/router';
import { assignmentsRouter } from './assignments';
import { triggerRouter } from './trigger';

export const pipelineAssignmentRouter = createRouter()
  .route('/', assignmentsRouter)
  .route('/', triggerRouter);
