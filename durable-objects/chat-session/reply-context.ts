import type { ModelMessage } from 'ai';
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
 * what the model reported for earlier messages; the question's attached files (`files`) and the
 * note saying history was left out take their room too.
 */
export function replyContext(
  host: ReplyHost,
  replyId: string,
  request: ReplyRequest,
  question: ChatMessage,
  files: string,
): ReplyContext {
  const budget = request.historyTokens - (files ? estimateTokens(files) : 0);
  const fitted = fitHistory(host.store.historyBefore(question.seq), budget);
  let { messages } = fitted;
  let dropped = 0;
  if (fitted.full) {
    // The note saying so takes room too: fitted again with room for the longest it can be.
    const finished = host.store.historyCount(question.seq);
    messages = fitHistory(
      host.store.historyBefore(question.seq),
      budget - estimateTokens(droppedNote(finished)),
    ).messages;
    dropped = finished - messages.length;
  }
  if (dropped > 0) host.store.setStatus(replyId, 'streaming', droppedNote(dropped));
  const system = dropped > 0 ? `${request.system}\n\n${droppedNote(dropped)}` : request.system;
  const all = [...historyMessages(messages), { role: 'user', content: `${question.content}${files}` }];
  return {
    system,
    messages: all as ModelMessage[],
    chars: all.reduce((n, m) => n + m.content.length, system.length),
  };
}
