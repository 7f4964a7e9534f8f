import { runTests } from '../tools/run-tests/run.js';
import { renderRunTests } from '../tools/run-tests/render.js';
import { RunTestsInput } from '../tools/run-tests/schema.js';
import { configFlags, intFlag, openWorkspace, parseCommand, UsageError } from './common.js';

export const TEST_HELP = `Usage: baton-mcp test [files...] [options]

Detects the project's test runner, runs it and prints the structured result.

Options:
  --runner R           auto (default), vitest, jest, mocha, node, npm-script, pytest, go, cargo
  --path P             the package to test, inside a monorepo
  -t, --name PATTERN   only tests whose name matches
  --only-failed        re-run the failures of the last run
  --command "ARGV"     run this command instead (must be allowed by runTests.allowCommands)
  --timeout N          seconds before the run is killed (default 600)
  --max-tokens N       output budget (default 4000)
  --json               print the structured result as JSON
  --root DIR, --state-dir DIR, --config FILE
`;

/** `baton-mcp test`: the run-tests capability for people. Exit 0 only when the tests passed. */
export async function testCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    runner: { type: 'string' },
    path: { type: 'string' },
    name: { type: 'string', short: 't' },
    'only-failed': { type: 'boolean' },
    command: { type: 'string' },
    timeout: { type: 'string' },
    'max-tokens': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(TEST_HELP);
    return 0;
  }
  const parsed = RunTestsInput.safeParse({
    runner: values.runner ?? 'auto',
    command: values.command,
    path: values.path,
    files: positionals.length ? positionals : undefined,
    testNamePattern: values.name,
    onlyFailed: values['only-failed'] ?? false,
    timeoutSec: intFlag('timeout', values.timeout) ?? 600,
    waitSec: 3600, // a person waits for the end
    maxTokens: intFlag('max-tokens', values['max-tokens']),
  });
  if (!parsed.success) throw new UsageError(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { config, services } = await openWorkspace(configFlags(values));
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await runTests(parsed.data, {
    ...services,
    config,
    signal: controller.signal,
    progress: (message) => process.stderr.write(`… ${message}\n`),
  });
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : renderRunTests(result)) + '\n');
  return result.status === 'passed' ? 0 : 1;
}
