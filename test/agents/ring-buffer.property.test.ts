import { abortAllDurableObjects, env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_HUB_CAPACITY } from '../../durable-objects/agent-hub';
import { hubOf } from '../../src/domain/agents/events';
import { ALL_CHANNELS } from '../../src/domain/streams/protocol';

/** The ring buffer as it should behave: every sequence number ever given, the last 200 held. */
class Model {
  last = 0;

  publish(count: number) {
    const seqs = Array.from({ length: count }, (_, i) => this.last + i + 1);
    this.last += count;
    return seqs;
  }

  read(after: number, limit: number) {
    const oldest = Math.max(1, this.last - AGENT_HUB_CAPACITY + 1);
    const pending: number[] = [];
    for (let s = Math.max(after + 1, oldest); s <= this.last; s++) pending.push(s);
    const seqs = pending.slice(0, limit);
    const hasMore = pending.length > limit;
    return {
      seqs,
      has_more: hasMore,
      next_cursor: hasMore ? seqs.at(-1)! : Math.max(after, this.last),
      latest_seq: this.last,
      gap: after < oldest - 1 && this.last > 0 ? { dropped: oldest - 1 - after, oldest_seq: oldest } : null,
    };
  }
}

type Op =
  | { kind: 'publish'; count: number }
  | { kind: 'read'; after: number; limit: number }
  | { kind: 'evict' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('publish' as const), count: fc.integer({ min: 1, max: 90 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      after: fc.nat({ max: 1000 }),
      limit: fc.integer({ min: 1, max: 250 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'evict' as const }) },
);

let run = 0;

describe('agent hub ring buffer (property)', () => {
  it('matches the model for any sequence of publishes, cursor reads and evictions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const ref = { orgId: 'org_property', agentId: `agt_property_${run++}_${Date.now()}` };
        let hub = hubOf(env, ref.agentId);
        const model = new Model();
        // Only a running object can be evicted; any call wakes it.
        let running = false;
        for (const o of ops) {
          if (o.kind !== 'evict') running = true;
          if (o.kind === 'publish') {
            const items = Array.from({ length: o.count }, (_, i) => ({
              type: 'agent.output',
              payload: { i },
            }));
            const stored = await hub.publish(ref, items);
            expect(stored.map((e) => e.seq)).toEqual(model.publish(o.count));
          } else if (o.kind === 'read') {
            // A cursor beyond the latest event is refused by the API; the model covers real cursors.
            const after = Math.min(o.after, model.last);
            const got = await hub.read(after, o.limit, { channels: ALL_CHANNELS, agents: null });
            const want = model.read(after, o.limit);
            expect({
              seqs: got.events.map((e) => e.seq),
              has_more: got.has_more,
              next_cursor: got.next_cursor,
              latest_seq: got.latest_seq,
              gap: got.gap,
            }).toEqual(want);
          } else if (running) {
            // Throws away the object's memory; it is built anew from its storage on the next call,
            // which must come through a new stub, as after any reset.
            await abortAllDurableObjects();
            hub = hubOf(env, ref.agentId);
            running = false;
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
