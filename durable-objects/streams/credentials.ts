import { orgStreamOf } from '../../src/domain/agents/events';
import {
  expiry,
  type Revocation,
  type RevocationTarget,
  revokes,
  STREAM_OWNER_HEADER,
  type StreamCloseCode,
  type StreamOwner,
} from '../../src/domain/streams/owners';
import type { Env } from '../../src/env';

/**
 * The part every object with live streams shares: each open connection is kept with its owner
 * (the credential it was opened with); a revocation closes the ones it names, and an alarm at the
 * earliest credential end closes those whose credential ran out, each with a code and reason.
 */

/** One open connection (a WebSocket or an SSE client), as the credential checks see it. */
export interface Held {
  readonly owner: StreamOwner;
  /** Closes it saying why: a WebSocket close frame, or an SSE `closed` event and the end. */
  close(code: StreamCloseCode, reason: string): void;
  /** Keeps a new owner (an earlier end) wherever the connection's state lives. */
  reown(owner: StreamOwner): void;
}

/** The objects, besides the organization stream itself, that hold subscriptions in it. */
export type LiveKind = 'agent_hub' | 'pipeline_run' | 'chat_session';

/** The owner the Worker named for a subscription, or null if it named none. */
export const ownerOf = (request: Request) =>
  JSON.parse(request.headers.get(STREAM_OWNER_HEADER) ?? 'null') as StreamOwner | null;

const expired = (owner: StreamOwner, now: number) => owner.endsAt !== null && owner.endsAt <= now;

export class Credentials {
  constructor(
    /** Every connection still open, read afresh on each call. */
    private readonly held: () => Held[],
    /** Sets the object's alarm for `at` unless it is already due sooner. */
    private readonly alarmBy: (at: number) => Promise<void>,
  ) {}

  /** Why a subscription just opened must close at once (`refused` by the admission check, or run out). */
  refusal(owner: StreamOwner, refused: Revocation | null): Revocation | null {
    return refused ?? (expired(owner, Date.now()) ? expiry(owner) : null);
  }

  /** After opening: closes it if refused, or makes sure the alarm comes when its credential ends. */
  async opened(owner: StreamOwner, refusal: Revocation | null) {
    if (refusal) this.closeWhere((o) => o === owner, refusal);
    else if (owner.endsAt !== null) await this.alarmBy(owner.endsAt);
  }

  /**
   * Closes the connections a revocation names, among those opened with a credential checked
   * before the revocation was made (`at`); returns how many connections remain open.
   */
  revoke(revocation: Revocation, at: number): number {
    return this.closeWhere((owner) => owner.checkedAt <= at && revokes(revocation.target, owner), revocation);
  }

  /**
   * Brings the end of the connections the target names (among those opened with a credential
   * checked before `at`) forward to `endsAt`, when the alarm closes them; returns how many
   * connections remain open. A rotated API key's previous secrets end with the grace period.
   */
  async endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number> {
    const held = this.held();
    let shortened = false;
    for (const h of held) {
      const o = h.owner;
      if (o.checkedAt > at || !revokes(target, o) || (o.endsAt !== null && o.endsAt <= endsAt)) continue;
      h.reown({ ...o, endsAt });
      shortened = true;
    }
    if (shortened) await this.alarmBy(endsAt);
    return held.length;
  }

  /** Closes the connections whose credential has run out, and wakes again at the next such end. */
  async expire(now = Date.now()) {
    let next = Number.POSITIVE_INFINITY;
    for (const h of this.held()) {
      if (expired(h.owner, now)) {
        const why = expiry(h.owner);
        h.close(why.code, why.reason);
      } else if (h.owner.endsAt !== null) next = Math.min(next, h.owner.endsAt);
    }
    if (next !== Number.POSITIVE_INFINITY) await this.alarmBy(next);
  }

  /** Closes the matching connections saying why; returns how many remain open. */
  private closeWhere(matches: (owner: StreamOwner) => boolean, why: Revocation) {
    let open = 0;
    for (const h of this.held()) {
      if (matches(h.owner)) h.close(why.code, why.reason);
      else open += 1;
    }
    return open;
  }
}

/**
 * Admission for an object whose subscriptions the organization stream must know of: the stream
 * says whether the credential was already revoked, and learns that this object holds subscribers
 * (so it passes revocations on), unless this instance registered already and no revocation has
 * found it empty since: then it sends nothing to write.
 */
export class OrgRegistration {
  private registered = false;

  constructor(
    private readonly env: Env,
    private readonly kind: LiveKind,
    private readonly id: DurableObjectId,
  ) {}

  async admit(owner: StreamOwner): Promise<Revocation | null> {
    const stream = orgStreamOf(this.env, owner.orgId);
    const refused = await stream.admitTo(this.kind, this.id.toString(), owner, !this.registered);
    this.registered = true;
    return refused;
  }

  /** Answering "none left" gets the object unregistered, so the next subscription registers it again. */
  noteOpen(open: number) {
    if (open === 0) this.registered = false;
    return open;
  }
}
