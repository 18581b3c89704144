import type {
  AgentRef,
  PublishInput,
  ReadResult,
  StreamEvent,
  StreamFilter,
} from '../src/domain/streams/protocol';
import { ALL_CHANNELS } from '../src/domain/streams/protocol';
import { EventStream } from './event-stream';
import { OrgRegistration } from './streams/credentials';

/** Exactly this many of an agent's latest events are kept for cursor reads and resumption. */
export const AGENT_HUB_CAPACITY = 200;
/** Events relayed to the organization stream per call. */
const FORWARD_BATCH = 500;
/** Events kept in memory for relaying; beyond this a stalled relay falls back to the buffer. */
const MAX_PENDING = 10_000;
const FORWARD_RETRY_MS = 2_000;

/**
 * One per agent (named by the agent id): the agent's ring buffer of events and its live
 * subscribers. Every event is also relayed to the organization's stream, without the publisher
 * waiting for it: one relay call is in flight at a time, and events published meanwhile go in the
 * next batch, so a busy agent costs the organization stream one call per batch, not one per
 * event. Events waiting to be relayed are kept in memory, so a burst larger than the buffer is
 * still relayed whole. The relay position is stored, so a relay cut short by eviction or failure
 * resumes from the buffer (on the next wake, or by an alarm) without repeating events.
 */
export class AgentHub extends EventStream {
  protected readonly capacity = AGENT_HUB_CAPACITY;
  private forwarding: Promise<void> | null = null;
  private boundRef: AgentRef | null | undefined;
  private retired: boolean | undefined;
  /** Published by this instance and not yet relayed, in order. */
  private pending: StreamEvent[] = [];

  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof EventStream>[1]) {
    super(ctx, env);
    this.registration = new OrgRegistration(env, 'agent_hub', ctx.id);
    if (this.ref() && this.forwardedSeq() < this.lastSeq) this.scheduleForward();
  }

  private ref(): AgentRef | null {
    if (this.boundRef === undefined) {
      const orgId = this.getMeta('org_id');
      const agentId = this.getMeta('agent_id');
      this.boundRef = typeof orgId === 'string' && typeof agentId === 'string' ? { orgId, agentId } : null;
    }
    return this.boundRef;
  }

  /**
   * Whether this hub is known to serve that agent of that organization: it learns both from the
   * agent's first event (`agent.created`) and forgets when the agent is deleted. The Worker skips
   * its database lookup for such hubs and falls back to it for any other answer.
   */
  private serves(ref: AgentRef) {
    const bound = this.ref();
    this.retired ??= this.getMeta('retired') !== undefined;
    return bound?.orgId === ref.orgId && bound.agentId === ref.agentId && !this.retired;
  }

  private forwardedSeq() {
    return Number(this.getMeta('forwarded_seq') ?? 0);
  }

  /** Appends events for the agent; returns them with their sequence numbers once stored. */
  async publish(ref: AgentRef, items: PublishInput[]): Promise<StreamEvent[]> {
    if (!this.ref()) {
      this.setMeta('org_id', ref.orgId);
      this.setMeta('agent_id', ref.agentId);
      this.boundRef = ref;
    }
    const events = this.append(
      items.map((i) => ({ type: i.type, agent_id: ref.agentId, payload: i.payload })),
    );
    this.pending.push(...events);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.scheduleForward();
    return events;
  }

  /** Publishes only for an agent this hub is known to serve; null means "ask the database". */
  async publishIfServed(ref: AgentRef, items: PublishInput[]): Promise<StreamEvent[] | null> {
    return this.serves(ref) ? this.publish(ref, items) : null;
  }

  /** Reads only for an agent this hub is known to serve; null means "ask the database". */
  async readIfServed(
    ref: AgentRef,
    after: number,
    limit: number,
    filter: StreamFilter,
  ): Promise<ReadResult | null> {
    return this.serves(ref) ? this.readAfter(after, limit, filter) : null;
  }

  /**
   * The agent was deleted: its last event is published and relayed, then every subscriber is
   * closed and the buffer erased. The sequence counter stays, so numbers are never reused.
   */
  async retire(ref: AgentRef, last: PublishInput): Promise<StreamEvent> {
    const [event] = await this.publish(ref, [last]);
    while (this.forwarding) await this.forwarding;
    this.setMeta('retired', 1);
    this.retired = true;
    this.closeAndErase('agent deleted');
    return event!;
  }

  private scheduleForward() {
    this.forwarding ??= this.forward().finally(() => {
      this.forwarding = null;
    });
  }

  /** Relays everything after the stored relay position, batch by batch, until caught up. */
  private async forward() {
    const ref = this.ref();
    if (!ref) return;
    const stream = this.env.ORG_STREAM.get(this.env.ORG_STREAM.idFromName(ref.orgId));
    try {
      for (;;) {
        const from = this.forwardedSeq();
        if (from >= this.lastSeq) return;
        const batch = this.relayBatch(from);
        if (batch.length > 0) await stream.ingest(ref.agentId, batch);
        const sent = batch.at(-1)?.seq ?? this.lastSeq;
        this.setMeta('forwarded_seq', sent);
        const done = this.pending.findIndex((e) => e.seq > sent);
        this.pending.splice(0, done < 0 ? this.pending.length : done);
      }
    } catch (err) {
      console.error(JSON.stringify({ agent_hub: ref.agentId, relay_failed: String(err) }));
      await this.alarmBy(Date.now() + FORWARD_RETRY_MS);
    }
  }

  /**
   * The next events after the relay position: from memory when it has them, otherwise (after a
   * wake) from the buffer, skipping any it no longer holds: the organization stream shows the gap.
   */
  private relayBatch(from: number): StreamEvent[] {
    const i = this.pending.findIndex((e) => e.seq > from);
    if (i >= 0 && this.pending[i]!.seq === from + 1) return this.pending.slice(i, i + FORWARD_BATCH);
    return this.readAfter(from, FORWARD_BATCH, { channels: ALL_CHANNELS, agents: null }).events;
  }

  override async alarm() {
    await super.alarm();
    this.scheduleForward();
    await this.forwarding;
  }
}
