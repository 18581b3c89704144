import { createRouter } from '../../http/router';
import { ticketCommentsRouter } from './comments';
import { ticketDependenciesRouter } from './dependencies';
import { ticketsRouter } from './tickets';
import { ticketWorkflowRouter } from './workflow';

// The workflow router goes first: its `/tickets/next` must not be taken for a ticket id.
export const ticketRouter = createRouter()
  .route('/', ticketWorkflowRouter)
  .route('/', ticketsRouter)
  .route('/', ticketCommentsRouter)
  .route('/', ticketDependenciesRouter);
