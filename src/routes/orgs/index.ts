import { createRouter } from '../../http/router';
import { invitesRouter } from './invites';
import { membersRouter } from './members';
import { organizationsRouter } from './organizations';
import { teamsRouter } from './teams';

export const orgsRouter = createRouter()
  .route('/', organizationsRouter)
  .route('/', membersRouter)
  .route('/', invitesRouter)
  .route('/', teamsRouter);
