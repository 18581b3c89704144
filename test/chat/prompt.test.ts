import { describe, expect, it } from 'vitest';
import {
  call,
  fakeProvider,
  newAgent,
  newChatSession,
  newModel,
  newProject,
  newTicket,
  newUser,
  orgPath,
  sendChat,
  unique,
  useFakeOpenAI,
} from '../support';

const fixture = useFakeOpenAI();

/** A model of the organization's own, served by the fake OpenAI-compatible provider's echo. */
async function echoModel(u: { token: string; orgId: string }) {
  const provider = await fakeProvider(u.token, u.orgId);
  return newModel(u.token, u.orgId, { provider_id: provider.id, provider_model_id: 'fake-echo' });
}

describe('a reply’s system prompt', () => {
  it('has the role’s prompt, its skills, the rules that apply and what memory recalls for the message', async () => {
    const u = await newUser();
    const post = async (rest: string, body: unknown, method = 'POST') => {
      const res = await call(orgPath(u.orgId, rest), { method, token: u.token, body });
      expect(res.status, res.text).toBeLessThan(300);
      return res.json;
    };
    const model = await echoModel(u);
    const role = await post('/roles', {
      slug: unique('pr'),
      name: 'Planner',
      prompt_template: 'You are {{agent.display_name}}, a {{role.name}}.',
    });
    const skill = await post('/skills', { name: unique('sk'), instructions: 'Cite your sources.' });
    await post(`/roles/${role.id}/skills/${skill.id}`, undefined, 'PUT');
    const agent = await newAgent(u, {
      name: 'ada',
      display_name: 'Ada',
      role_id: role.id,
      model: model.name,
    });
    const other = await newAgent(u, { name: 'bob' });
    await post('/rules', { rule: 'Answer in English.' });
    await post('/rules', { rule: 'Ada keeps it short.', agent_id: agent.id });
    await post('/rules', { rule: 'Bob rambles.', agent_id: other.id });
    await post('/memory', { content: 'The deploy window is Tuesday', kind: 'fact' });
    const s = await newChatSession(u, { agent_id: agent.id });
    const sent = await sendChat(u, s.id, { content: 'when is the deploy window?' });
    const frames = await sent.frames.rest();
    const request = fixture().seen.find((r) => r.path.endsWith('/chat/completions'));
    expect(request, JSON.stringify(frames)).toBeDefined();
    const [system] = (request!.body as { messages: { role: string; content: string }[] }).messages;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('You are Ada, a Planner.');
    expect(system!.content).toContain('Cite your sources.');
    expect(system!.content).toContain('- Answer in English.');
    expect(system!.content).toContain('- Ada keeps it short.');
    expect(system!.content).not.toContain('Bob rambles.');
    expect(system!.content).toContain('(fact) The deploy window is Tuesday');
  });

  it('names the session’s project and ticket, and a session without them names none', async () => {
    const u = await newUser();
    const model = await echoModel(u);
    const res = await call(orgPath(u.orgId, '/roles'), {
      token: u.token,
      body: {
        slug: unique('pt'),
        name: 'Tracker',
        prompt_template: 'Project: {{project.name}}. Task: {{task.title}}.',
      },
    });
    expect(res.status, res.text).toBe(201);
    const agent = await newAgent(u, { name: 'pat', role_id: res.json.id, model: model.name });
    const project = await newProject(u, 'Apollo');
    const ticket = await newTicket(u, { project_id: project.id, title: 'Land the module' });
    const systemOf = async (session: Record<string, unknown>) => {
      const s = await newChatSession(u, { agent_id: agent.id, ...session });
      await (await sendChat(u, s.id, { content: 'status?' })).frames.rest();
      const request = fixture().seen.findLast((r) => r.path.endsWith('/chat/completions'));
      return (request!.body as { messages: { content: string }[] }).messages[0]!.content;
    };
    expect(await systemOf({ project_id: project.id, ticket_id: ticket.id })).toContain(
      'Project: Apollo. Task: Land the module.',
    );
    const none = await systemOf({});
    expect(none).not.toContain('Apollo');
    expect(none).not.toContain('Land the module');
  });

  it('goes to the model the organization routes the agent’s tags to', async () => {
    const u = await newUser();
    const routed = await echoModel(u);
    const put = await call(orgPath(u.orgId, '/models/routing'), {
      method: 'PUT',
      token: u.token,
      body: { rules: [{ match: 'tag', value: 'legal', model_id: routed.id }] },
    });
    expect(put.status, put.text).toBe(200);
    const agent = await newAgent(u, { name: 'lex', tags: ['legal'] });
    const s = await newChatSession(u, { agent_id: agent.id });
    await (await sendChat(u, s.id, { content: 'is this binding?' })).frames.rest();
    const request = fixture().seen.find((r) => r.path.endsWith('/chat/completions'));
    expect((request?.body as { model?: string } | undefined)?.model).toBe('fake-echo');
  });
});
