import { createRouter } from '../../http/router';
import { keysRouter } from './crud';
import { secretsRouter } from './secrets';
import { usageRouter } from './usage';

/** Organization API keys for programs: `/orgs/{orgId}/api-keys…`. */
export const apiKeysRouter = createRouter()
  .route('/', keysRouter)
  .route('/', secretsRouter)
  .route('/', usageRouter);
