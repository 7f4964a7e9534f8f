import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderRunTests } from './render.js';
import { RunTestsInput, RunTestsOutput } from './schema.js';

export function registerRunTests(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'run-tests',
    title: 'Run tests',
    description:
      "Detect and run the project's tests (vitest, jest, mocha, node --test, npm test, pytest, go test, cargo test) and return pass/fail counts " +
      'and each failure with file, line and an excerpt. Long runs answer {status: "running", jobId}; call again with {jobId}. ' +
      'onlyFailed re-runs the last failures.',
    input: RunTestsInput,
    output: RunTestsOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    // The capability and its dependencies load on the first call, not at start-up.
    run: async (input, context) => (await import('./run.js')).runTests(input, context),
    render: renderRunTests,
  });
}
