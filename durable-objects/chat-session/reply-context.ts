import type { ModelMessage } from 'ai';
import { attachmentContext } from '../../src/domain/chat/attachments';
import {
  droppedNote,
  estimateTokens,
  fitHistory,
  historyMessages,
  type ReplyRequest,
} from '../../src/domain/chat/context';
import type { ChatMessage } from '../../src/domain/chat/protocol';
import type { ReplyHost } from './reply';

export interface ReplyContext {
  system: string;
  messages: ModelMessage[];
  /** The length of the prompt's text, to spread the model's count of it over its messages. */
  chars: number;
}

/**
 * The system prompt and history for every turn of this reply, fitted to the context window with
 * what the model reported for earlier messages; attached files and the note saying history was
 * left out take their room too.
 */
export async function replyContext(
  host: ReplyHost,
  replyId: string,
  request: ReplyRequest,
  question: ChatMessage,
): Promise<ReplyContext> {
  const files = await attachmentContext(host.env, question.attachments);
  const history = host.store.historyBefore(question.seq);
  const measured = host.measured.all();
  const budget = request.historyTokens - (files ? estimateTokens(files) : 0);
  let fitted = fitHistory(history, budget, measured);
  if (fitted.dropped > 0)
    fitted = fitHistory(history, budget - estimateTokens(droppedNote(history.length)), measured);
  const { messages, dropped } = fitted;
  if (dropped > 0) host.store.setStatus(replyId, 'streaming', droppedNote(dropped));
  const system = dropped > 0 ? `${request.system}\n\n${droppedNote(dropped)}` : request.system;
  const all = [...historyMessages(messages), { role: 'user', content: `${question.content}${files}` }];
  return {
    system,
    messages: all as ModelMessage[],
    chars: all.reduce((n, m) => n + m.content.length, system.length),
  };
}
