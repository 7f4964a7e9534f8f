import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { toolContext } from '../helpers/context.js';
import { runTests } from '../../src/tools/run-tests/run.js';
import { RunTestsInput, type RunTestsOutput } from '../../src/tools/run-tests/schema.js';
import { FIXTURES, jsProject } from '../helpers/projects.js';
import { startServer } from '../helpers/server.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/** Whether a tool runs here; when not, its test is skipped with a message saying so. */
function available(label: string, file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
    return true;
  } catch {
    console.warn(`run-tests: ${label} is not available here, so its test is skipped`);
    return false;
  }
}
const hasPytest = available('python3 -m pytest', 'python3', ['-m', 'pytest', '--version']);
const hasCargo = available('cargo', 'cargo', ['--version']);

describe('run-tests on real projects', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const run = async (root: string, input: Partial<RunTestsInput> = {}, config = loadConfig({}, {})): Promise<RunTestsOutput> => {
    return runTests(RunTestsInput.parse({ waitSec: 120, ...input }), await toolContext(root, join(dir.path, 'state'), config));
  };

  beforeAll(async () => {
    dir = await tempDir();
    for (const [name, fixture] of Object.entries(FIXTURES)) await jsProject(join(dir.path, name), fixture.pkg, fixture.files);
  });
  afterAll(() => dir.cleanup());

  it.each(['vitest', 'jest', 'mocha', 'node'] as const)('%s: detected, run with its reporter, totals and the failure reported', async (name) => {
    const result = await run(join(dir.path, name));
    expect(result.runner).toBe(name);
    expect(result.status).toBe('failed');
    expect(result.summary).toEqual({ total: 4, passed: 2, failed: 1, skipped: 1 });
    expect(result.reportSource).toBe(name === 'node' ? 'junit' : 'json');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.file).toMatch(/(math\.test\.ts|sum\.test\.js|a\.spec\.js|a\.test\.js)$/);
    expect(result.failures[0]!.message.length).toBeGreaterThan(0);
    expect(() => readFileSync(result.logFile!, 'utf8')).not.toThrow(); // mocha's JSON goes to the report, so its log may be empty
  });

  it("mocha: progress names the file and counts tests, and the log reads like mocha's spec output", async () => {
    const root = join(dir.path, 'mocha-progress');
    await jsProject(root, FIXTURES.mocha.pkg, {
      ...FIXTURES.mocha.files,
      // A second file that ends after more than a second, so a second message can go out.
      'test/b.spec.js': "describe('slow', () => {\n  it('waits', (done) => setTimeout(done, 1500));\n  it('then passes', () => {});\n});\n",
    });
    const progress: string[] = [];
    const result = await runTests(
      RunTestsInput.parse({ waitSec: 120 }),
      await toolContext(root, join(dir.path, 'state'), loadConfig({}, {}), { progress: (message) => void progress.push(message) }),
    );
    expect(result).toMatchObject({ runner: 'mocha', reportSource: 'json', summary: { total: 6, passed: 4, failed: 1, skipped: 1 } });
    expect(progress[0]).toBe('started mocha');
    for (const message of progress.slice(1)) expect(message).toMatch(/^\d+ tests? finished; running test\/[ab]\.spec\.js$/);
    // While the slow test runs: the first four finished (the lines reach Baton within a read or
    // two), and b.spec.js named; 5 once the slow one ends, if a second has passed since.
    expect(progress.some((message) => /^[45] tests finished; running test\/b\.spec\.js$/.test(message))).toBe(true);
    const log = readFileSync(result.logFile!, 'utf8');
    expect(log).toContain('mocha \u25b8 test/a.spec.js\n  \u2713 list is empty\n  \u2713 list has one\n  \u2717 list has two\n  - list has many\n');
    expect(log).toMatch(/ {2}4 passing \(\d+ms\)\n {2}1 pending\n {2}1 failing\n$/);
  });

  it('mocha --parallel: the same counts, and the log still names each file', async () => {
    const root = join(dir.path, 'mocha-parallel');
    await jsProject(
      root,
      { ...FIXTURES.mocha.pkg, scripts: { test: 'mocha --parallel' } },
      {
        ...FIXTURES.mocha.files,
        'test/b.spec.js': "describe('more', () => {\n  it('passes', () => {});\n});\n",
      },
    );
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'mocha', reportSource: 'json', summary: { total: 5, passed: 3, failed: 1, skipped: 1 } });
    expect(result.command).toContain('--parallel');
    const log = readFileSync(result.logFile!, 'utf8');
    expect(log).toContain('mocha \u25b8 test/a.spec.js\n');
    expect(log).toContain('mocha \u25b8 test/b.spec.js\n  \u2713 more passes\n');
  });

  it('stops a run whose output never ends at runTests.maxLogMB, and says so', async () => {
    const root = join(dir.path, 'mocha-endless');
    await jsProject(root, FIXTURES.mocha.pkg, {
      'test/a.spec.js':
        "describe('noise', () => {\n  it('never ends', () => {\n    const line = 'x'.repeat(1023) + '\\n';\n    for (;;) process.stdout.write(line);\n  });\n});\n",
    });
    const config = loadConfig({}, {});
    config.runTests.maxLogMB = 1;
    const result = await run(root, { timeoutSec: 120 }, config);
    expect(result.status).toBe('error');
    expect(result.note).toMatch(/wrote more than 1 MB of output, so Baton stopped it \(runTests\.maxLogMB\)/);
    expect(statSync(result.logFile!).size).toBe(1_000_000);
    expect(result.durationMs).toBeLessThan(60_000); // the limit ended it, not the timeout
  });

  it('re-runs only the failures of the last run', async () => {
    const root = join(dir.path, 'vitest');
    await run(root);
    const again = await run(root, { onlyFailed: true });
    expect(again.summary.failed).toBe(1);
    expect(again.summary.passed).toBe(0);
    expect(again.failures[0]!.name).toMatch(/divides/);
  });

  it('passes files and a name pattern to the runner', async () => {
    const result = await run(join(dir.path, 'vitest'), { files: ['src/math.test.ts'], testNamePattern: 'adds' });
    expect(result.status).toBe('passed');
    expect(result.summary.passed).toBe(1);
  });

  it("keeps only a passed run's last lines of output, its summary among them", async () => {
    const root = join(dir.path, 'chatty');
    await writeFiles(root, {
      'package.json': JSON.stringify({ name: 'chatty', type: 'module', scripts: { test: 'node --test' } }),
      'test/chatty.test.js': Array.from({ length: 120 }, (_, i) => `test('case ${i}', () => {});`)
        .join('\n')
        .replace(/^/, "import test from 'node:test';\n"),
    });
    const result = await run(root, { runner: 'node' });
    expect(result.status).toBe('passed');
    expect(result.summary.total).toBe(120);
    const lines = result.output.split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(lines.length).toBeGreaterThan(5);
    expect(result.output).toMatch(/pass 120/);
    expect(result.output).not.toMatch(/case 0\b/);
  });

  it('runs an npm test script and reads its summary line', async () => {
    const root = join(dir.path, 'script');
    await writeFiles(root, {
      'package.json': JSON.stringify({ name: 'script', scripts: { test: 'node check.js' } }),
      'check.js': "console.log('checking...');\nconsole.log('3 passed, 1 failed');\nprocess.exit(1);\n",
    });
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'npm-script', status: 'failed', reportSource: 'text', summary: { total: 4, passed: 3, failed: 1 } });
  });

  it.skipIf(!hasPytest)('pytest: junit report, node ids, nothing written into the repository', async () => {
    const root = join(dir.path, 'py');
    await writeFiles(root, {
      'pytest.ini': '[pytest]\n',
      'tests/test_math.py': [
        'import pytest',
        '',
        'def test_adds():',
        '    assert 1 + 1 == 2',
        '',
        'def test_subtracts():',
        '    assert 3 - 1 == 2',
        '',
        'def test_fails():',
        '    assert 1 + 1 == 3',
        '',
        '@pytest.mark.skip(reason="later")',
        'def test_skipped():',
        '    pass',
        '',
      ].join('\n'),
    });
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'pytest', status: 'failed', reportSource: 'junit', summary: { total: 4, passed: 2, failed: 1, skipped: 1 } });
    expect(result.failures[0]).toMatchObject({ name: expect.stringMatching(/test_fails/), file: expect.stringMatching(/tests\/test_math\.py$/) });
    // Baton asks pytest not to write its cache or bytecode into the repository (plugins may still write their own).
    const written = execFileSync('find', [root, '-name', '.pytest_cache', '-o', '-name', '__pycache__']).toString().trim();
    expect(written).toBe('');
  });

  it.skipIf(!hasCargo)(
    'cargo: text output parsed across test binaries',
    async () => {
      const root = join(dir.path, 'crate');
      await writeFiles(root, {
        'Cargo.toml': '[package]\nname = "fixture"\nversion = "0.1.0"\nedition = "2021"\n',
        'src/lib.rs': [
          'pub fn add(a: i32, b: i32) -> i32 { a + b }',
          '#[cfg(test)]',
          'mod tests {',
          '    use super::*;',
          '    #[test] fn adds() { assert_eq!(add(1, 1), 2); }',
          '    #[test] fn adds_more() { assert_eq!(add(2, 2), 4); }',
          '    #[test] fn fails() { assert_eq!(add(1, 1), 3); }',
          '    #[test] #[ignore] fn later() {}',
          '}',
          '',
        ].join('\n'),
      });
      const result = await run(root, { timeoutSec: 300 });
      expect(result).toMatchObject({ runner: 'cargo', status: 'failed', summary: { passed: 2, failed: 1, skipped: 1 } });
      expect(result.failures[0]!.name).toMatch(/fails/);
    },
    300_000,
  );

  it.skipIf(!hasCargo)(
    'cargo onlyFailed re-runs exactly the failed test: not test_eq_prerelease, not test_eq of another binary',
    async () => {
      const root = join(dir.path, 'crate-exact');
      await writeFiles(root, {
        'Cargo.toml': '[package]\nname = "exact"\nversion = "0.1.0"\nedition = "2021"\n',
        'src/lib.rs':
          'pub fn eq(a: i32, b: i32) -> bool { a == b }\n#[cfg(test)]\nmod tests {\n    #[test] fn test_eq_prerelease() { assert!(super::eq(1, 1)); }\n}\n',
        'tests/a.rs': '#[test] fn test_eq() { assert!(exact::eq(1, 2)); }\n#[test] fn test_eq_prerelease() { assert!(exact::eq(1, 1)); }\n',
        'tests/b.rs': '#[test] fn test_eq() { assert!(exact::eq(2, 2)); }\n',
      });
      const first = await run(root, { timeoutSec: 300 });
      expect(first.summary).toEqual({ total: 4, passed: 3, failed: 1, skipped: 0 });
      expect(first.failures[0]).toMatchObject({ name: 'test_eq', file: expect.stringMatching(/tests\/a\.rs$/) });
      const again = await run(root, { onlyFailed: true, timeoutSec: 300 });
      expect(again.summary).toEqual({ total: 1, passed: 0, failed: 1, skipped: 0 });
      expect(again.command).toEqual(expect.arrayContaining(['--test', 'a', '--exact', 'test_eq']));
    },
    300_000,
  );

  it('reports a runner that is not installed clearly', async () => {
    const root = join(dir.path, 'gomod');
    await writeFiles(root, { 'go.mod': 'module example.com/x\n\ngo 1.22\n' });
    // go may well be installed (.ci/run installs it): a PATH without it stands for a machine without it.
    const path = process.env.PATH;
    process.env.PATH = join(dir.path, 'no-such-bin');
    try {
      await expect(run(root, { runner: 'go', path: '' })).rejects.toThrow(/go is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('says what it looked for when there are no tests', async () => {
    const root = join(dir.path, 'empty');
    await writeFiles(root, { 'README.md': '# nothing\n' });
    const result = await run(root);
    expect(result.status).toBe('no-tests');
    expect(result.note).toMatch(/Looked for: package\.json test script/);
  });

  it('kills a hanging suite and everything it forked at the timeout', async () => {
    const root = join(dir.path, 'hang');
    await writeFiles(root, {
      'package.json': JSON.stringify({ name: 'hang', type: 'module', scripts: { test: 'node --test' } }),
      'test/hang.test.js': [
        "import test from 'node:test';",
        "import { spawn } from 'node:child_process';",
        "import { writeFileSync } from 'node:fs';",
        "test('hangs', async () => {",
        "  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });",
        "  writeFileSync(new URL('../sleep.pid', import.meta.url), String(child.pid));",
        '  await new Promise(() => {});',
        '});',
        '',
      ].join('\n'),
    });
    const result = await run(root, { runner: 'node', timeoutSec: 3 });
    expect(result.status).toBe('timeout');
    const pid = readFileSync(join(root, 'sleep.pid'), 'utf8');
    await new Promise((r) => setTimeout(r, 300));
    const state = (() => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2];
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state);
  });

  it('answers running with a jobId, and a cancel stops the run', async () => {
    const root = join(dir.path, 'slow');
    await writeFiles(root, {
      'package.json': JSON.stringify({ name: 'slow', type: 'module', scripts: { test: 'node --test' } }),
      'test/slow.test.js': "import test from 'node:test';\ntest('slow', async () => { await new Promise((r) => setTimeout(r, 60000)); });\n",
    });
    const first = await run(root, { waitSec: 0.5 });
    expect(first).toMatchObject({ status: 'running', runner: 'node' });
    expect(first.jobId).toMatch(/^run-tests-/);
    const cancelled = await run(root, { jobId: first.jobId, cancel: true });
    expect(cancelled.status).toBe('cancelled');
  });

  it('runs an explicit command only when the configuration allows it', async () => {
    const root = join(dir.path, 'script');
    await expect(run(root, { command: 'node check.js' })).rejects.toMatchObject({
      message: expect.stringMatching(/not allowed/),
      hint: expect.stringMatching(/runTests\.allowCommands/),
    });
    const config = loadConfig({}, {});
    config.runTests.allowCommands = ['node check.js'];
    const result = await run(root, { command: 'node check.js' }, config);
    expect(result).toMatchObject({ runner: 'command', summary: { passed: 3, failed: 1 } });
    await expect(run(root, { command: 'node check.js | tee x' }, config)).rejects.toThrow(/needs a shell/);
  });
});

describe('run-tests over stdio', () => {
  it('sends progress notifications, answers running with a jobId, then the result', async () => {
    const dir = await tempDir();
    const root = join(dir.path, 'node');
    await jsProject(root, FIXTURES.node.pkg, {
      ...FIXTURES.node.files,
      'test/slow.test.js': "import test from 'node:test';\ntest('slow one', async () => { await new Promise((r) => setTimeout(r, 2500)); });\n",
      'test/many.test.js': "import test from 'node:test';\nfor (let i = 0; i < 300; i++) test(`quick ${i}`, () => {});\n",
    });
    const server = await startServer({ root, stateDir: join(dir.path, 'state') });
    try {
      const progress: string[] = [];
      const first = (await server.client.callTool({ name: 'run-tests', arguments: { waitSec: 1 } }, undefined, {
        onprogress: (p) => void progress.push(String(p.message)),
      })) as unknown as { structuredContent: RunTestsOutput };
      expect(first.structuredContent.status).toBe('running');
      const jobId = first.structuredContent.jobId!;
      const done = (await server.client.callTool({ name: 'run-tests', arguments: { jobId, waitSec: 60 } }, undefined, {
        onprogress: (p) => void progress.push(String(p.message)),
        timeout: 90_000,
      })) as unknown as { structuredContent: RunTestsOutput; content: Array<{ text: string }> };
      expect(done.structuredContent).toMatchObject({ status: 'failed', summary: { total: 305, passed: 303, failed: 1, skipped: 1 } });
      expect(done.content[0]!.text).toMatch(/^FAILED: 303 passed, 1 failed, 1 skipped of 305 \(node/);
      expect(progress.some((message) => /tests? finished/.test(message))).toBe(true);
      // One notification a second at most, not one per test: the 300 fast tests finish within a
      // second or two, and each message carries a count.
      expect(progress.filter((message) => /tests? finished/.test(message)).length).toBeLessThan(30);
    } finally {
      await server.close();
      await dir.cleanup();
    }
  }, 60_000);
});
