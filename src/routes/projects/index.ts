import { createRouter } from '../../http/router';
import { documentsRouter } from './documents';
import { projectGraphRouter } from './graph';
import { projectsRouter } from './projects';

export const projectRouter = createRouter()
  .route('/', projectsRouter)
  .route('/', projectGraphRouter)
  .route('/', documentsRouter);
