import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, newUser } from '../support';
import { cron } from '../support/cron';

describe('scheduled housekeeping', () => {
  it('runs from the cron trigger and deletes sessions long past their end, twice without harm', async () => {
    const u = await newUser();
    await call('/api/v1/auth/logout', { token: u.token, body: {} });
    const farFuture = Date.now() + 60 * 86_400_000;
    for (let i = 0; i < 2; i++) {
      await cron(farFuture);
    }
    const row = await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?')
      .bind(u.sessionId)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
    expect((await SELF.fetch('https://foreman.test/health')).status).toBe(200);
  });
});
