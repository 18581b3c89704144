import { createRouter } from '../../lib/router';
import { approvalsRouter } from './approvals';
import { publicApprovalsRouter } from './public';

export const approvalRouter = createRouter().route('/', publicApprovalsRouter).route('/', approvalsRouter);
