import { createRouter } from '../../http/router';
import { approvalsRouter } from './approvals';
import { publicApprovalsRouter } from './public';

export const approvalRouter = createRouter().route('/', publicApprovalsRouter).route('/', approvalsRouter);
