import { createRouter } from '../../http/router';
import { modeRoutes } from './modes';
import { modeSessionRoutes } from './sessions';

/** Modes, and their sessions and artifacts (`/mode-sessions`, `/mode-artifacts`). */
export const modesRouter = createRouter().route('/', modeRoutes).route('/', modeSessionRoutes);
