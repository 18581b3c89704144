import type { StreamEvent } from '../src/domain/agents/stream-protocol';
import { EventStream } from './event-stream';

/** The organization stream keeps more history than one agent: it carries all of them. */
export const ORG_STREAM_CAPACITY = 1000;

/**
 * One per organization (named by the organization id): the live stream of every agent's events,
 * for dashboards, filterable by channel and by agent. Agent hubs relay to it in batches and never
 * wait on it; it remembers the last sequence number relayed from each agent, so a relay that is
 * retried after a failure adds nothing twice.
 */
export class OrgStream extends EventStream {
  protected readonly capacity = ORG_STREAM_CAPACITY;

  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof EventStream>[1]) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS sources (agent_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)',
    );
  }

  /** Takes a batch of one agent's events, in order, skipping any already taken. */
  async ingest(agentId: string, events: StreamEvent[]): Promise<number> {
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ last_seq: number }>('SELECT last_seq FROM sources WHERE agent_id = ?', agentId)
      .toArray()[0];
    const fresh = events.filter((e) => e.seq > (row?.last_seq ?? 0));
    const last = fresh.at(-1);
    if (!last) return 0;
    this.append(
      fresh.map((e) => ({
        type: e.type,
        agent_id: agentId,
        agent_seq: e.seq,
        payload: e.payload,
        time: Date.parse(e.time),
      })),
      () => sql.exec('INSERT OR REPLACE INTO sources (agent_id, last_seq) VALUES (?, ?)', agentId, last.seq),
    );
    return fresh.length;
  }
}
