import { describe, expect, it } from 'vitest';
import { call } from '../support';

describe('platform probes', () => {
  it('answers health and liveness without credentials', async () => {
    expect((await call('/health')).json).toEqual({ status: 'ok' });
    expect((await call('/live')).json).toEqual({ status: 'ok' });
  });

  it('is ready when D1 answers', async () => {
    const res = await call('/ready');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('reports version, build and uptime', async () => {
    const res = await call('/version');
    expect(res.json).toMatchObject({ name: 'foreman', version: expect.any(String), build: 'dev' });
    expect(res.json.uptime_seconds).toBeGreaterThanOrEqual(0);
  });

  it('puts a request id on every response', async () => {
    const res = await call('/health');
    expect(res.headers.get('X-Request-Id')).toMatch(/^req_/);
  });

  it('serves the event and scope catalog publicly', async () => {
    const res = await call('/api/v1/events/catalog');
    expect(res.status).toBe(200);
    expect(res.json.events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'api_key.created' })]),
    );
    expect(res.json.scopes).toEqual(
      expect.arrayContaining([expect.objectContaining({ scope: 'vault:reveal' })]),
    );
  });
});
