import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderDelegate } from './render.js';


export function registerDelegate(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'delegate-to-codex',
    title: 'Delegate to Codex',
    description:
      'Hand a sub-task to a Codex model (Responses API, Baton runs the loop) or the Codex CLI; get the report, files changed and diff. ' +
      'Long runs answer running + jobId; call again with {jobId}. sessionId continues a delegation.',
    schemas: async () => {
      const { DelegateInput, DelegateOutput } = await import('./schema.js');
      return { input: DelegateInput, output: DelegateOutput };
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    // The capability and its dependencies (openai, the agent loop) load on the first call.
    run: async (input, context) => (await import('./delegate.js')).delegate(input, context),
    render: renderDelegate,
  });
}
