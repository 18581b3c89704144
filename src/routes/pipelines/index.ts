import { createRouter } from '../../http/router';
import { graphRouter } from './graph';
import { pipelinesRouter } from './pipelines';
import { versionsRouter } from './versions';

export const pipelineRouter = createRouter()
  .route('/', pipelinesRouter)
  .route('/', graphRouter)
  .route('/', versionsRouter);
