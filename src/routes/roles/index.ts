import { createRouter } from '../../http/router';
import { roleLinksRouter } from './links';
import { promptVariablesRouter } from './prompt-variables';
import { roleRoutes } from './roles';

export { canDesign } from './roles';

export const rolesRouter = createRouter()
  .route('/', promptVariablesRouter)
  .route('/', roleRoutes)
  .route('/', roleLinksRouter);
