import {
  parseJsonEventStream,
  readUIMessageStream,
  type UIMessage,
  type UIMessageChunk,
  uiMessageChunkSchema,
} from 'ai';
import { describe, expect, it } from 'vitest';
import { newChatSession, newUser, sendChat } from '../support';

/** Reads a response the way the AI SDK's own client does, and returns the final UI message. */
async function readWithAiSdk(body: ReadableStream<Uint8Array>) {
  const chunks = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<{ success: boolean; value?: UIMessageChunk; error?: unknown }, UIMessageChunk>({
      transform(result, controller) {
        if (!result.success) throw result.error;
        controller.enqueue(result.value!);
      },
    }),
  );
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream: chunks })) last = message;
  return last!;
}

const textParts = (m: UIMessage) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');

describe('the AI SDK UI message stream protocol', () => {
  it('streams a reply the AI SDK’s readUIMessageStream assembles, when asked with ?protocol=ui', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const sent = await sendChat(u, s.id, { content: 'hello from useChat' }, { query: '?protocol=ui' });
    expect(sent.res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const message = await readWithAiSdk(sent.res.body!);
    expect(message.id).toBe(sent.replyId);
    expect(textParts(message)).toBe('You said: hello from useChat');
  });

  it('takes the body useChat sends (its messages) and answers in its protocol', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const sent = await sendChat(u, s.id, {
      id: s.id,
      trigger: 'submit-message',
      messages: [
        { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'first' }] },
        { id: 'm2', role: 'assistant', parts: [{ type: 'text', text: 'You said: first' }] },
        { id: 'm3', role: 'user', parts: [{ type: 'text', text: 'second question' }] },
      ],
    });
    const message = await readWithAiSdk(sent.res.body!);
    expect(textParts(message)).toBe('You said: second question');
  });

  it('reports a failed reply as an error chunk', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const sent = await sendChat(u, s.id, { content: 'boom [[fail:500]]' }, { query: '?protocol=ui' });
    const chunks: UIMessageChunk[] = [];
    for await (const r of parseJsonEventStream({ stream: sent.res.body!, schema: uiMessageChunkSchema }))
      if (r.success) chunks.push(r.value);
    expect(chunks.map((c) => c.type)).toEqual(['start', 'start-step', 'error']);
    expect(chunks.at(-1)).toMatchObject({ errorText: expect.stringContaining('500') });
  });
});
