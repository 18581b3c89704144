import {
  type Revocation,
  type RevocationTarget,
  revokes,
  type StreamOwner,
} from '../src/domain/streams/owners';
import type { StreamEvent } from '../src/domain/streams/protocol';
import { EventStream } from './event-stream';
import { type LiveKind, REVOCATION_MEMORY_MS } from './streams/credentials';

/** The organization stream keeps more history than one agent: it carries all of them. */
export const ORG_STREAM_CAPACITY = 1000;

/** What every object holding subscriptions answers to (agent hubs, pipeline runs, chat sessions). */
interface Revocable {
  revoke(revocation: Revocation, at: number): Promise<number>;
  endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number>;
}

interface RevocationRow extends Record<string, SqlStorageValue> {
  at: number;
  revocation: string;
}

/**
 * One per organization (named by the organization id): the live stream of every agent's events,
 * for dashboards, filterable by channel and by agent. Agent hubs relay to it in batches and never
 * wait on it; it remembers the last sequence number relayed from each agent, so a relay that is
 * retried after a failure adds nothing twice.
 *
 * It is also where the organization's revocations arrive (`revoke`): it closes its own matching
 * subscriptions and passes the revocation on to the other objects that have subscribers: agent
 * hubs, pipeline runs and chat sessions (the `hubs` table). Such an object registers here with
 * each subscription it admits, and is forgotten once a revocation finds it without subscribers, so
 * a revocation reaches only objects that may hold some. Recent revocations are remembered, so a
 * subscription whose credential was checked before one is refused.
 */
export class OrgStream extends EventStream {
  protected readonly capacity = ORG_STREAM_CAPACITY;

  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof EventStream>[1]) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS sources (agent_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS hubs (hub_id TEXT PRIMARY KEY, registration INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS revocations (at INTEGER NOT NULL, revocation TEXT NOT NULL);`,
    );
    // Since version 2 runs and chat sessions register too: each row says which kind of object it is.
    if (this.getMeta('hubs_version') !== 2)
      ctx.storage.transactionSync(() => {
        ctx.storage.sql.exec("ALTER TABLE hubs ADD COLUMN kind TEXT NOT NULL DEFAULT 'agent_hub'");
        this.setMeta('hubs_version', 2);
      });
  }

  /** The revocation, among those remembered, that a subscription's credential predates. */
  private revokedFor(owner: StreamOwner): Revocation | null {
    const rows = this.ctx.storage.sql.exec<RevocationRow>(
      'SELECT at, revocation FROM revocations WHERE at >= ? ORDER BY at',
      owner.checkedAt,
    );
    for (const row of rows) {
      const r = JSON.parse(row.revocation) as Revocation;
      if (revokes(r.target, owner)) return r;
    }
    return null;
  }

  protected override async admit(owner: StreamOwner) {
    return this.revokedFor(owner);
  }

  /**
   * An object (of `kind`, by its id) admitting a subscription is told whether the credential was
   * already revoked. One not known to be registered is registered as holding subscribers, under a
   * number that only grows, so a revocation that found it empty just before cannot unregister it now.
   */
  async admitTo(
    kind: LiveKind,
    id: string,
    owner: StreamOwner,
    register: boolean,
  ): Promise<Revocation | null> {
    // Registered again if its row is gone though it believes it registered (storage lost, say).
    const known = this.ctx.storage.sql.exec('SELECT 1 FROM hubs WHERE hub_id = ?', id).toArray().length > 0;
    if (register || !known) {
      const registration = Number(this.getMeta('registrations') ?? 0) + 1;
      this.setMeta('registrations', registration);
      this.ctx.storage.sql.exec(
        'INSERT OR REPLACE INTO hubs (hub_id, kind, registration) VALUES (?, ?, ?)',
        id,
        kind,
        registration,
      );
    }
    return this.revokedFor(owner);
  }

  /**
   * Closes this organization's subscriptions that the revocation names, here and in every object
   * registered as holding subscribers, and remembers it for subscriptions still on their way.
   */
  override async revoke(revocation: Revocation, at: number): Promise<number> {
    const sql = this.ctx.storage.sql;
    sql.exec('DELETE FROM revocations WHERE at < ?', Date.now() - REVOCATION_MEMORY_MS);
    sql.exec('INSERT INTO revocations (at, revocation) VALUES (?, ?)', at, JSON.stringify(revocation));
    const open = await super.revoke(revocation, at);
    await this.toHubs('revoke', (stub) => stub.revoke(revocation, at));
    return open;
  }

  /** Brings subscriptions' end forward (see `EventStream.endBy`), here and in every registered object. */
  override async endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number> {
    const open = await super.endBy(target, endsAt, at);
    await this.toHubs('endBy', (stub) => stub.endBy(target, endsAt, at));
    return open;
  }

  /**
   * Makes the call on every object registered as holding subscribers, and forgets those that
   * answer that they hold none (unless they registered again meanwhile).
   */
  private async toHubs(what: string, call: (stub: Revocable) => Promise<number>) {
    const sql = this.ctx.storage.sql;
    const hubs = sql
      .exec<{ hub_id: string; kind: LiveKind; registration: number }>(
        'SELECT hub_id, kind, registration FROM hubs',
      )
      .toArray();
    await Promise.all(
      hubs.map(async ({ hub_id, kind, registration }) => {
        try {
          const left = await call(this.stubOf(kind, hub_id));
          if (left === 0)
            sql.exec('DELETE FROM hubs WHERE hub_id = ? AND registration = ?', hub_id, registration);
        } catch (err) {
          console.error(JSON.stringify({ org_stream: what, kind, hub_id, failed: String(err) }));
        }
      }),
    );
  }

  private stubOf(kind: LiveKind, id: string): Revocable {
    const ns =
      kind === 'agent_hub'
        ? this.env.AGENT_HUB
        : kind === 'pipeline_run'
          ? this.env.PIPELINE_RUN
          : this.env.CHAT_SESSION;
    return ns.get(ns.idFromString(id));
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
