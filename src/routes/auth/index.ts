import { createRouter } from '../../http/router';
import { credentialsRouter } from './credentials';
import { passwordRouter } from './password';
import { sessionRouter } from './session';
import { totpRouter } from './totp';

export const authRouter = createRouter()
  .route('/', credentialsRouter)
  .route('/', sessionRouter)
  .route('/', passwordRouter)
  .route('/', totpRouter);
