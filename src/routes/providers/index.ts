import { createRouter } from '../../http/router';
import { providerConnectionRouter } from './connection';
import { providersRouter } from './providers';

export const providerRoutes = createRouter().route('/', providerConnectionRouter).route('/', providersRouter);
