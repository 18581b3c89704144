import { describe, expect, it } from 'vitest';
import { LOCAL_ADMISSION_MS, OrgRegistration } from '../../durable-objects/streams/credentials';
import { CLOSE_CREDENTIAL_ENDED, type Revocation, type StreamOwner } from '../../src/domain/streams/owners';
import type { Env } from '../../src/env';

/** An organization stream that records each admission asked of it and answers `answer`. */
function fakeOrgStream(answer: () => Revocation | null = () => null) {
  const asked: { register: boolean; checkedAt: number }[] = [];
  let during: (() => void) | null = null;
  const env = {
    ORG_STREAM: {
      idFromName: (name: string) => name,
      get: () => ({
        admitTo: async (_kind: string, _id: string, owner: StreamOwner, register: boolean) => {
          asked.push({ register, checkedAt: owner.checkedAt });
          const run = during;
          during = null;
          run?.();
          return answer();
        },
      }),
    },
  } as unknown as Env;
  const registration = new OrgRegistration(env, 'chat_session', {
    toString: () => 'obj',
  } as DurableObjectId);
  /** Runs `f` while the next admission call is under way. */
  const whileAsking = (f: () => void) => {
    during = f;
  };
  return { asked, registration, whileAsking };
}

const owner = (sessionId: string, checkedAt: number): StreamOwner => ({
  credential: 'session',
  credentialId: sessionId,
  userId: 'usr_1',
  orgId: 'org_1',
  endsAt: null,
  checkedAt,
});

const loggedOut = (sessionId: string): Revocation => ({
  target: { kind: 'session', sessionId },
  code: CLOSE_CREDENTIAL_ENDED,
  reason: 'session ended: logged out',
});

describe('admission to an object registered with the organization stream', () => {
  it('asks the organization stream until registered, then admits credentials checked since by itself', async () => {
    const { asked, registration } = fakeOrgStream();
    const t = Date.now();
    expect(await registration.admit(owner('ses_a', t))).toBeNull();
    expect(asked).toEqual([{ register: true, checkedAt: t }]);
    // Checked well after the registration: no call.
    expect(await registration.admit(owner('ses_a', t + 5000), t + 5000)).toBeNull();
    expect(asked).toHaveLength(1);
    // Checked before it (a cached check): the organization stream is asked, without registering again.
    expect(await registration.admit(owner('ses_a', t - 5000), t + 5000)).toBeNull();
    expect(asked.at(-1)).toEqual({ register: false, checkedAt: t - 5000 });
  });

  it('refuses by itself a credential that a revocation passed on to it names, if checked before it', async () => {
    const { asked, registration } = fakeOrgStream();
    const t = Date.now();
    await registration.admit(owner('ses_a', t));
    registration.noteRevocation(loggedOut('ses_stale'), t + 3000, t + 3000);
    const calls = asked.length;
    expect(await registration.admit(owner('ses_stale', t + 2000), t + 4000)).toEqual(loggedOut('ses_stale'));
    // Checked after the revocation (signed in again, say), or another session: admitted.
    expect(await registration.admit(owner('ses_stale', t + 3001), t + 4000)).toBeNull();
    expect(await registration.admit(owner('ses_other', t + 2000), t + 4000)).toBeNull();
    expect(asked).toHaveLength(calls);
  });

  it('asks again once a revocation finds it empty, and registers again', async () => {
    const { asked, registration } = fakeOrgStream();
    const t = Date.now();
    await registration.admit(owner('ses_a', t));
    expect(registration.noteOpen(0)).toBe(0);
    await registration.admit(owner('ses_a', t + 5000), t + 5000);
    expect(asked.map((a) => a.register)).toEqual([true, true]);
  });

  it('registers again when a revocation unregisters it while it is being admitted', async () => {
    const { asked, registration, whileAsking } = fakeOrgStream();
    const t = Date.now();
    whileAsking(() => registration.noteOpen(0));
    await registration.admit(owner('ses_a', t));
    expect(asked.map((a) => a.register)).toEqual([true, true]);
    // Registered now: later credentials are admitted with no call.
    await registration.admit(owner('ses_a', Date.now() + 5000), Date.now() + 5000);
    expect(asked).toHaveLength(2);
  });

  it('asks the organization stream again once it has not answered an admission for a while', async () => {
    const revoked = loggedOut('ses_stale');
    const { asked, registration } = fakeOrgStream(() => revoked);
    const t = Date.now();
    await registration.admit(owner('ses_a', t));
    const later = t + LOCAL_ADMISSION_MS + 5000;
    // Other revocations passed on meanwhile do not extend the trust: one may have been lost.
    registration.noteRevocation(loggedOut('ses_other'), later - 2000, later - 2000);
    // A revocation it never received still refuses the credential: the stream is asked.
    expect(await registration.admit(owner('ses_stale', later - 1000), later)).toEqual(revoked);
    expect(asked).toHaveLength(2);
  });

  it('refuses a credential named by a revocation passed on while the organization stream was asked', async () => {
    const { registration, whileAsking } = fakeOrgStream();
    const t = Date.now();
    whileAsking(() => registration.noteRevocation(loggedOut('ses_stale'), t + 1));
    expect(await registration.admit(owner('ses_stale', t))).toEqual(loggedOut('ses_stale'));
  });
});
