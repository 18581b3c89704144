import { describe, expect, it } from 'vitest';
import { call, expectProblem, orgPath, unique } from '../../support';
import { del, get, owner, patch, post, signUpDesigner, systemRole, upload } from './designer';

signUpDesigner();

describe('modes and mode sessions', () => {
  it('seeds system modes, refuses deleting them and resets them', async () => {
    const modes = await get('modes');
    const slugs = modes.json.data.filter((m: any) => m.system).map((m: any) => m.slug);
    expect(slugs).toEqual(['plan', 'review', 'spec']);
    const plan = modes.json.data.find((m: any) => m.slug === 'plan');
    expectProblem(await del(`modes/${plan.id}`), 409);
    await patch(`modes/${plan.id}`, { instructions: 'changed' });
    const reset = await post(`modes/${plan.id}/reset`, {});
    expect(reset.json).toMatchObject({ is_default: true });
  });

  it('creates, uploads and deletes custom modes', async () => {
    const m = await post('modes', {
      slug: unique('brainstorm'),
      name: 'Brainstorm',
      instructions: 'Go wide.',
    });
    expect(m.status, m.text).toBe(201);
    expectProblem(await post(`modes/${m.json.id}/reset`, {}), 409);
    const slug = unique('triage');
    const up = await upload('modes/upload', 'x.md', `---\nslug: ${slug}\nname: Triage\n---\nSort the inbox.`);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ slug, name: 'Triage', instructions: 'Sort the inbox.', system: false });
    expect((await del(`modes/${m.json.id}`)).status).toBe(204);
  });

  it('runs a session: one active per project and role, draft, complete with an artifact', async () => {
    const mode = (await get('modes')).json.data.find((m: any) => m.slug === 'spec');
    const role = await systemRole('planner');
    const project = (await post('projects', { name: unique('p') })).json.id;
    const s = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id, draft: 'v1' });
    expect(s.status, s.text).toBe(201);
    expectProblem(await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id }), 409);

    const active = await get(`mode-sessions/active?project_id=${project}&role_id=${role.id}`);
    expect(active.json.id).toBe(s.json.id);
    expect((await patch(`mode-sessions/${s.json.id}`, { draft: 'v2' })).json.draft).toBe('v2');

    const done = await call(orgPath(owner.orgId, `/mode-sessions/${s.json.id}/complete`), {
      method: 'POST',
      token: owner.token,
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json.session.status).toBe('completed');
    expect(done.json.artifact).toMatchObject({ content: 'v2', project_id: project, session_id: s.json.id });

    expect(expectProblem(await patch(`mode-sessions/${s.json.id}`, { draft: 'v3' }), 409).detail).toContain(
      'completed',
    );
    expectProblem(await post(`mode-sessions/${s.json.id}/cancel`, {}), 409);
    expectProblem(await get(`mode-sessions/active?project_id=${project}&role_id=${role.id}`), 404);

    const artifacts = await get(`mode-artifacts?project_id=${project}`);
    expect(artifacts.json.data.map((a: any) => a.id)).toEqual([done.json.artifact.id]);

    const next = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id });
    expect(next.status).toBe(201);
    const cancelled = await post(`mode-sessions/${next.json.id}/cancel`, {});
    expect(cancelled.json.status).toBe('cancelled');
    expect((await get(`mode-artifacts?project_id=${project}`)).json.data).toHaveLength(1);
  });

  it('refuses to complete a session with nothing to store with 422', async () => {
    const mode = (await get('modes')).json.data.find((m: any) => m.slug === 'review');
    const role = await systemRole('reviewer');
    const project = (await post('projects', { name: unique('p') })).json.id;
    const s = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id });
    expectProblem(await post(`mode-sessions/${s.json.id}/complete`, {}), 422);
    expect(
      (await post(`mode-sessions/${s.json.id}/complete`, { content: 'Looks good', title: 'Review' })).status,
    ).toBe(200);
  });
});
