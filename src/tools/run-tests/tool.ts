import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderRunTests } from './render.js';


export function registerRunTests(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'run-tests',
    title: 'Run tests',
    description:
      "Detect and run the project's tests (vitest, jest, mocha, node, npm test, pytest, go, cargo): counts, and each failure with file, line, excerpt. " +
      'Long runs answer running + jobId.',
    schemas: async () => {
      const { RunTestsInput, RunTestsOutput } = await import('./schema.js');
      return { input: RunTestsInput, output: RunTestsOutput };
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    // The capability and its dependencies load on the first call, not at start-up.
    run: async (input, context) => (await import('./run.js')).runTests(input, context),
    render: renderRunTests,
  });
}
