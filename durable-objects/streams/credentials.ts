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
import { MINUTE } from '../../src/lib/time';

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
 * How long a revocation is remembered for subscriptions that arrive after it: longer than any
 * request takes between checking its credential and reaching the stream.
 */
export const REVOCATION_MEMORY_MS = MINUTE;

/**
 * How long an instance admits subscriptions by itself after the organization stream last answered
 * an admission: the bound on trusting what was passed on, should a revocation fail to arrive (the
 * organization stream logs a failed pass-on and goes on).
 */
export const LOCAL_ADMISSION_MS = 10_000;

/** How far apart the clocks of the machines involved may be (a revocation's time is another's). */
const CLOCK_MARGIN_MS = 1000;

/**
 * Admission for an object whose subscriptions the organization stream must know of. The stream
 * says whether the credential was already revoked, and learns that this object holds subscribers,
 * so it passes each revocation on before acknowledging it. Once registered, the instance knows
 * every revocation made since: a credential checked after that is admitted here, by the
 * revocations passed on, with no call (for `LOCAL_ADMISSION_MS` after the stream last answered).
 * A revocation that finds the object empty unregisters it, and the next subscription asks again.
 */
export class OrgRegistration {
  /** Since when the organization stream passes revocations to this instance; null: it does not. */
  private registeredAt: number | null = null;
  /** Counts "none left" answers, each of which unregisters the object. */
  private unregistrations = 0;
  /** When the organization stream last answered an admission. */
  private answeredAt = 0;
  /** The revocations passed on, for `REVOCATION_MEMORY_MS`. */
  private revocations: { revocation: Revocation; at: number }[] = [];

  constructor(
    private readonly env: Env,
    private readonly kind: LiveKind,
    private readonly id: DurableObjectId,
  ) {}

  async admit(owner: StreamOwner, now = Date.now()): Promise<Revocation | null> {
    if (this.knowsRevocationsFor(owner, now)) return this.revokedFor(owner);
    const registering = this.registeredAt === null;
    const unregistrations = this.unregistrations;
    const stream = orgStreamOf(this.env, owner.orgId);
    const refused = await stream.admitTo(this.kind, this.id.toString(), owner, registering);
    // A revocation that found the object empty meanwhile unregistered it: register again.
    if (this.unregistrations !== unregistrations) return this.admit(owner);
    this.answeredAt = Date.now();
    if (registering) this.registeredAt = this.answeredAt;
    // One passed on while the call was under way, recorded there after it answered.
    return refused ?? this.revokedFor(owner);
  }

  /** Keeps a revocation the organization stream passed on, for subscriptions opened after it. */
  noteRevocation(revocation: Revocation, at: number, now = Date.now()) {
    this.revocations = this.revocations.filter((r) => r.at >= now - REVOCATION_MEMORY_MS);
    this.revocations.push({ revocation, at });
  }

  /**
   * A revocation the organization stream passed on: kept for later subscriptions, and the
   * connections it names closed (see `Credentials.revoke`); returns how many remain open.
   */
  revoke(credentials: Credentials, revocation: Revocation, at: number): number {
    this.noteRevocation(revocation, at);
    return this.noteOpen(credentials.revoke(revocation, at));
  }

  /** Answering "none left" gets the object unregistered, so the next subscription registers it again. */
  noteOpen(open: number) {
    if (open === 0) {
      this.registeredAt = null;
      this.unregistrations += 1;
    }
    return open;
  }

  /** Registered before the credential was checked, and answered lately. */
  private knowsRevocationsFor(owner: StreamOwner, now: number) {
    return (
      this.registeredAt !== null &&
      owner.checkedAt >= this.registeredAt + CLOCK_MARGIN_MS &&
      now - this.answeredAt < LOCAL_ADMISSION_MS
    );
  }

  private revokedFor(owner: StreamOwner): Revocation | null {
    const r = this.revocations.find((r) => r.at >= owner.checkedAt && revokes(r.revocation.target, owner));
    return r?.revocation ?? null;
  }
}
