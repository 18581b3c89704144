import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  getRun,
  newProject,
  newTicket,
  newUser,
  orgPath,
  runEvents,
  seedPipeline,
  startRun,
  stepQueue,
  type TestUser,
} from '../support';
import { installMcpFixture } from '../support/mcp-server';
import { agentWithRole, agentWithServer } from '../tools/support';

let fixture: ReturnType<typeof installMcpFixture>;
beforeAll(() => {
  fixture = installMcpFixture();
});
afterAll(() => fixture.restore());

/** Runs a one-step pipeline: the agent answers `prompt` (the dev model calls the marker's tool). */
async function runAgentStep(user: TestUser, agentId: string, prompt: string) {
  const queue = stepQueue();
  const { pipelineId } = await seedPipeline(user, {
    steps: [{ key: 'work', kind: 'agent', config: { agent_id: agentId, prompt } }],
  });
  const run = await startRun(user, { pipeline_id: pipelineId });
  await queue.drain();
  const done = await getRun(user, run.id);
  const events = (await runEvents(user, run.id)).data;
  return { run: done, events };
}

const toolEvents = (events: { type: string; payload: Record<string, unknown> }[]) =>
  events.filter((e) => e.type.startsWith('step.tool_call'));

async function toolActivity(user: TestUser, runId: string) {
  const res = await call(orgPath(user.orgId, '/activity?action=agent.tool_call&limit=50'), {
    token: user.token,
  });
  expect(res.status, res.text).toBe(200);
  return (
    res.json.data as { actor: { type: string; id: string }; metadata: Record<string, unknown> }[]
  ).filter((e) => e.metadata.run_id === runId);
}

describe('agent steps call their agent’s tools', () => {
  it('a built-in tool: the call runs as the agent, its result goes back to the model, and it is recorded', async () => {
    const user = await newUser();
    const { agentId } = await agentWithRole(user);
    const project = await newProject(user);
    const ticket = await newTicket(user, { project_id: project.id });
    const args = JSON.stringify({ ticket_id: ticket.id, body: 'Looked at it from the pipeline' });
    const { run, events } = await runAgentStep(user, agentId, `review [[tool:tickets_comment ${args}]]`);

    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.steps[0]!.output).toMatch(/^Tool tickets_comment returned: \{"id":"/);
    const comments = await call(orgPath(user.orgId, `/tickets/${ticket.id}/comments`), { token: user.token });
    expect(comments.json.data).toMatchObject([
      { body: 'Looked at it from the pipeline', author: { type: 'agent', id: agentId } },
    ]);
    const calls = toolEvents(events);
    expect(calls.map((e) => [e.type, e.payload.tool])).toEqual([
      ['step.tool_call_started', 'tickets_comment'],
      ['step.tool_call_finished', 'tickets_comment'],
    ]);
    expect(calls[0]!.payload).toMatchObject({
      step_key: 'work',
      agent_id: agentId,
      args: { ticket_id: ticket.id },
    });
    expect(calls[1]!.payload).toMatchObject({ ok: true, result: { ticket_id: ticket.id } });
    const started = events.findIndex((e) => e.type === 'step.tool_call_started');
    const answer = events.findIndex((e) => e.type === 'agent.output');
    expect(started).toBeLessThan(answer);
    expect(await toolActivity(user, run.id)).toMatchObject([
      { actor: { type: 'agent', id: agentId }, metadata: { tool: 'tickets.comment', step_key: 'work' } },
    ]);
  });

  it('an MCP tool of the agent’s role: called through the platform’s MCP client, its result read by the model', async () => {
    const user = await newUser();
    const { server, agentId } = await agentWithServer(user);
    const name = `${server.name}_add`;

    const { run, events } = await runAgentStep(user, agentId, `sum [[tool:${name} {"a":2,"b":5}]]`);

    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.steps[0]!.output).toContain(`Tool ${name} returned:`);
    expect(run.steps[0]!.output).toContain('"sum":7');
    expect(toolEvents(events)[1]!.payload).toMatchObject({
      tool: name,
      ok: true,
      result: { structured_content: { sum: 7 } },
    });
    expect(await toolActivity(user, run.id)).toMatchObject([
      { metadata: { server_id: server.id, tool: 'add', step_key: 'work', is_error: false } },
    ]);
  });

  it('a tool that needs a person’s approval is refused to the model, and the step still answers', async () => {
    const user = await newUser();
    const { agentId } = await agentWithRole(user, { tools_requiring_approval: ['memory.remember'] });
    const { run, events } = await runAgentStep(
      user,
      agentId,
      'note [[tool:memory_remember {"content":"Deploys happen on Thursday"}]]',
    );
    expect(run.status).toBe('succeeded');
    expect(toolEvents(events)[1]!.payload).toMatchObject({
      ok: false,
      result: { error: expect.stringContaining('approval') },
    });
    const memory = await call(orgPath(user.orgId, '/memory'), { token: user.token });
    expect(memory.status, memory.text).toBe(200);
    expect(memory.json.data).toEqual([]);
  });

  it('a tool the agent does not have is reported to the model as unknown', async () => {
    const user = await newUser();
    const { agentId } = await agentWithRole(user);
    const { run, events } = await runAgentStep(user, agentId, 'go [[tool:nowhere_nothing {}]]');
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.output).toContain('There is no tool named');
    expect(toolEvents(events)[1]!.payload).toMatchObject({ ok: false });
  });
});
