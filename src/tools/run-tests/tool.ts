import { defineTool } from '../spec.js';
import type { RunTestsInput, RunTestsOutput } from './schema.js';
import { renderRunTests } from './render.js';

/** The failing tests the session log names; the rest are in the run's log file. */
const MAX_FAILING_LOGGED = 20;

export const runTestsTool = defineTool<typeof RunTestsInput, typeof RunTestsOutput>({
  name: 'run-tests',
  title: 'Run tests',
  description:
    "Detect and run the project's tests (vitest, jest, mocha, node, npm test, pytest, go, cargo): counts, and each failure with file, line, excerpt. " +
    'Long runs answer running + jobId.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  schemas: async () => {
    const { RunTestsInput, RunTestsOutput } = await import('./schema.js');
    return { input: RunTestsInput, output: RunTestsOutput };
  },
  run: async (input, context) => (await import('./run.js')).runTests(input, context),
  render: renderRunTests,
  logged: true,
  facts: (output) =>
    output.status === 'running'
      ? {}
      : { tests: { status: output.status, ...output.summary, failing: output.failures.slice(0, MAX_FAILING_LOGGED).map((failure) => failure.name) } },
});
