import { createRouter } from '../../http/router';
import { attachmentsRouter } from './attachments';
import { liveRouter } from './live';
import { messagesRouter } from './messages';
import { participantsRouter } from './participants';
import { sessionsRouter } from './sessions';

export const chatRouter = createRouter()
  .route('/', sessionsRouter)
  .route('/', participantsRouter)
  .route('/', messagesRouter)
  .route('/', liveRouter)
  .route('/', attachmentsRouter);
