import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { registerTool, type ServerContext } from '../register.js';
import type { WorkspaceServices } from '../services.js';
import type { SessionInput } from './schema.js';
import { renderSession } from './render.js';

/** The capability with the summarizer the configuration allows, loaded on first use. */
async function runSession(input: SessionInput, services: WorkspaceServices, context: ServerContext, signal?: AbortSignal) {
  const [{ session }, { summarizerFromEnvironment }] = await Promise.all([import('./session.js'), import('./model-summarizer.js')]);
  const summarizer = summarizerFromEnvironment(process.env);
  return session(input, {
    state: services.state,
    ...(signal ? { signal } : {}),
    ...(summarizer ? { summarizer } : {}),
    onSummarizerError: (message) => context.log.warning(message),
  });
}

async function sessionIds(context: ServerContext): Promise<string[]> {
  const { SessionStore } = await import('./log.js');
  const { state } = await context.workspace();
  return (await SessionStore.for(state).list()).map((s) => s.id);
}

export function registerSession(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'session',
    title: 'Session state',
    description:
      'State that survives context windows. resume (default): the brief of the work so far; call it in every new context window. ' +
      'checkpoint: record goal, constraints, plan, decisions, notes, next after milestones. list; compact.',
    schemas: async () => {
      const { SessionInput, SessionOutput } = await import('./schema.js');
      return { input: SessionInput, output: SessionOutput };
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: (input, ctx) => runSession(input, ctx, context, ctx.signal),
    render: renderSession,
  });

  const ids = new ResourceTemplate('baton://session/{id}/brief', {
    list: async () => ({
      resources: (await sessionIds(context)).map((id) => ({ uri: `baton://session/${id}/brief`, name: `session ${id} brief`, mimeType: 'text/markdown' })),
    }),
    complete: { id: async (value) => (await sessionIds(context)).filter((id) => id.startsWith(value)) },
  });
  server.registerResource('session-brief', ids, { title: 'Session brief', description: 'The brief of a Baton session', mimeType: 'text/markdown' }, async (uri, { id }) => {
    const output = await runSession({ action: 'resume', sessionId: String(id) }, await context.workspace(), context);
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: output.brief ?? '' }] };
  });

  const logs = new ResourceTemplate('baton://session/{id}/log', {
    list: async () => ({
      resources: (await sessionIds(context)).map((id) => ({ uri: `baton://session/${id}/log`, name: `session ${id} log`, mimeType: 'text/plain' })),
    }),
    complete: { id: async (value) => (await sessionIds(context)).filter((id) => id.startsWith(value)) },
  });
  server.registerResource('session-log', logs, { title: 'Session log', description: 'Every event of a Baton session, one per line', mimeType: 'text/plain' }, async (uri, { id }) => {
    const [{ SessionStore }, { renderEvent }] = await Promise.all([import('./log.js'), import('./brief.js')]);
    const store = SessionStore.for((await context.workspace()).state);
    const events = await store.read(await store.resolve(String(id)));
    return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: events.map((event, i) => `#${i + 1} ${renderEvent(event)}`).join('\n') }] };
  });

  server.registerPrompt(
    'resume',
    {
      title: 'Resume the session',
      description: 'The session brief, to continue the work in a fresh context window',
      argsSchema: { sessionId: completable(z.string().optional(), async (value) => (await sessionIds(context)).filter((id) => id.startsWith(value ?? ''))) },
    },
    async ({ sessionId }) => {
      const output = await runSession({ action: 'resume', ...(sessionId ? { sessionId } : {}) }, await context.workspace(), context);
      return {
        description: `Brief of session ${output.sessionId}`,
        messages: [{ role: 'user', content: { type: 'text', text: `Continue this work. Here is where it stands:\n\n${output.brief}` } }],
      };
    },
  );
}
