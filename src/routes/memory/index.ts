import { createRouter } from '../../http/router';
import { memoryEntriesRouter } from './entries';
import { memorySearchRouter } from './search';

// Search and stats first: their fixed paths must win over `/memory/{entryId}`.
export const memoryRouter = createRouter().route('/', memorySearchRouter).route('/', memoryEntriesRouter);
