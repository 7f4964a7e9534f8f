import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runSession, type SessionContext } from './tool.js';

/** The current workspace's session context, as the MCP adapter resolves it per request. */
export type SessionContextSource = () => Promise<SessionContext>;

async function sessionIds(current: SessionContextSource): Promise<string[]> {
  const { SessionStore } = await import('./store.js');
  return (await SessionStore.for((await current()).state).list()).map((s) => s.id);
}

/** The session brief and log as MCP resources, and the `resume` prompt (DESIGN.md §3 session). */
export function registerSessionResources(server: McpServer, current: SessionContextSource): void {
  const completeId = async (value: string | undefined) => (await sessionIds(current)).filter((id) => id.startsWith(value ?? ''));
  const listed = (kind: 'brief' | 'log', mimeType: string) => async () => ({
    resources: (await sessionIds(current)).map((id) => ({ uri: `baton://session/${id}/${kind}`, name: `session ${id} ${kind}`, mimeType })),
  });

  const briefs = new ResourceTemplate('baton://session/{id}/brief', { list: listed('brief', 'text/markdown'), complete: { id: completeId } });
  server.registerResource(
    'session-brief',
    briefs,
    { title: 'Session brief', description: 'The brief of a Baton session', mimeType: 'text/markdown' },
    async (uri, { id }) => {
      const output = await runSession({ action: 'resume', sessionId: String(id) }, await current());
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: output.brief ?? '' }] };
    },
  );

  const logs = new ResourceTemplate('baton://session/{id}/log', { list: listed('log', 'text/plain'), complete: { id: completeId } });
  server.registerResource(
    'session-log',
    logs,
    { title: 'Session log', description: 'Every event of a Baton session, one per line', mimeType: 'text/plain' },
    async (uri, { id }) => {
      const [{ SessionStore }, { renderEvent }] = await Promise.all([import('./store.js'), import('./brief.js')]);
      const store = SessionStore.for((await current()).state);
      const events = await store.read(await store.resolve(String(id)));
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: events.map((event, i) => `#${i + 1} ${renderEvent(event)}`).join('\n') }] };
    },
  );

  server.registerPrompt(
    'resume',
    {
      title: 'Resume the session',
      description: 'The session brief, to continue the work in a fresh context window',
      argsSchema: { sessionId: completable(z.string().optional(), completeId) },
    },
    async ({ sessionId }) => {
      const output = await runSession({ action: 'resume', ...(sessionId ? { sessionId } : {}) }, await current());
      return {
        description: `Brief of session ${output.sessionId}`,
        messages: [{ role: 'user', content: { type: 'text', text: `Continue this work. Here is where it stands:\n\n${output.brief}` } }],
      };
    },
  );
}
