import { createRouter } from '../../http/router';
import { itemsRouter } from './items';
import { valuesRouter } from './values';

/** The encrypted vault under `/orgs/{orgId}/vault/items`: metadata routes, and those that touch values. */
export const vaultRouter = createRouter().route('/', itemsRouter).route('/', valuesRouter);
