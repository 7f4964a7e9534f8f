import { execFileSync } from 'node:child_process';
import { chmod, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runAgentTool } from '../../src/tools/delegate-to-codex/agent-tools.js';
import { runTests } from '../../src/tools/run-tests/run.js';
import { toolContext } from '../helpers/context.js';
import { RunTestsInput, type RunTestsOutput } from '../../src/tools/run-tests/schema.js';
import { FIXTURES, jsProject } from '../helpers/projects.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/**
 * `files` and `testNamePattern` come from a model. Each runner gets values that are its own
 * options (code to preload, a config to load, a report to write outside the root, a rustc
 * wrapper) and paths that leave the root; none may take effect, and a real file and pattern
 * must still run. Every hostile payload writes a marker into `outside/`, which is not in any
 * project, so "nothing happened" is checked on disk, not inferred from a status.
 */

function available(label: string, file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
    return true;
  } catch {
    console.warn(
      `run-tests hostile input: ${label} is not available here, so its test is skipped (its argv is still checked in test/unit/run-tests-argv.test.ts)`,
    );
    return false;
  }
}
const hasPytest = available('python3 -m pytest', 'python3', ['-m', 'pytest', '--version']);
const hasCargo = available('cargo', 'cargo', ['--version']);

describe('run-tests refuses files and patterns that would be runner options', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let outside: string;
  const markers = ['imported', 'required', 'config-loaded', 'junit.xml', 'wrapped', 'plugin-loaded'];
  const marker = (name: string) => join(outside, name);
  const noMarkers = () => expect(markers.filter((name) => existsSync(marker(name)))).toEqual([]);

  const context = (root: string) => toolContext(root, join(dir.path, 'state'), loadConfig({}, {}));
  const run = async (root: string, input: Partial<RunTestsInput>): Promise<RunTestsOutput> =>
    runTests(RunTestsInput.parse({ waitSec: 120, ...input }), await context(root));

  /** The option-like `files` every runner is tried with; each must be refused before anything runs. */
  const hostileFiles = (): string[] => [
    `--import=data:text/javascript,import('node:fs').then((fs)=>fs.writeFileSync('${marker('imported')}',''))`,
    '-r',
    `--require=${outside}/evil.cjs`,
    `--junitxml=${marker('junit.xml')}`,
    `--config={"setupFiles":["${outside}/evil.cjs"]}`,
    `--config=${outside}/evil.config.mjs`,
    `--config=build.rustc-wrapper='${outside}/wrap.sh'`,
    '../outside/evil.cjs', // these three were already refused by workspace.resolve; kept as regressions
    `${outside}/evil.cjs`,
    'escape-link.cjs', // a symlink to outside/
  ];
  /**
   * Patterns that are options; pytest and cargo refuse them all without running anything. The
   * JS runners run once per pattern, so they get the option that is dangerous to them, a foreign
   * one and "-x" (every value is checked against every runner's argv in the unit test).
   */
  const hostilePatterns = (): string[] => [
    `--config=build.rustc-wrapper='${outside}/wrap.sh'`,
    `--config={"setupFiles":["${outside}/evil.cjs"]}`,
    `--config=${outside}/evil.config.mjs`,
    `--require=${outside}/evil.cjs`,
    `--junitxml=${marker('junit.xml')}`,
    '-x',
  ];

  /** Each hostile file is refused with a user error naming it, and no runner ran. */
  const refusesHostileFiles = async (root: string, runner: RunTestsInput['runner']) => {
    await symlink(join(outside, 'evil.cjs'), join(root, 'escape-link.cjs')); // not a test file name: the runner's own discovery must not pick it up
    for (const file of hostileFiles()) {
      await expect(run(root, { runner, files: [file] }), file).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringMatching(/does not exist|outside the workspace root/),
      });
    }
    await expect(run(root, { runner, files: ['-r'] })).rejects.toThrow('file "-r" does not exist');
    noMarkers();
  };

  beforeAll(async () => {
    dir = await tempDir();
    outside = join(dir.path, 'outside');
    await writeFiles(outside, {
      'evil.cjs': `require('node:fs').writeFileSync(${JSON.stringify(marker('required'))}, '');\n`,
      'evil.config.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker('config-loaded'))}, '');\nexport default {};\n`,
      'wrap.sh': `#!/bin/sh\n: > '${marker('wrapped')}'\nexec "$@"\n`,
    });
    await chmod(join(outside, 'wrap.sh'), 0o755);
  });
  afterAll(() => dir.cleanup());

  it('vitest', async () => {
    const root = join(dir.path, 'vitest');
    await jsProject(root, FIXTURES.vitest.pkg, {
      ...FIXTURES.vitest.files,
      // A file that exists and is named like an option: existing is not enough, it must stay a path.
      '--config=evil.config.mjs': '',
      'evil.config.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker('config-loaded'))}, '');\nexport default {};\n`,
    });
    await refusesHostileFiles(root, 'vitest');
    const named = await run(root, { runner: 'vitest', files: ['--config=evil.config.mjs'] });
    expect(named.command).toContain('./--config=evil.config.mjs');
    for (const pattern of [`--config=${outside}/evil.config.mjs`, `--junitxml=${marker('junit.xml')}`, '-x']) {
      const result = await run(root, { runner: 'vitest', testNamePattern: pattern });
      expect(result.command, pattern).toContain(`--testNamePattern=${pattern}`);
      expect(result.summary.passed, pattern).toBe(0); // read as a name pattern that matches nothing, not as an option
    }
    noMarkers();
    const good = await run(root, { runner: 'vitest', files: ['src/math.test.ts'], testNamePattern: 'adds' });
    expect(good).toMatchObject({ status: 'passed', summary: { passed: 1, failed: 0 } });
  }, 120_000);

  it('jest', async () => {
    const root = join(dir.path, 'jest');
    await jsProject(root, FIXTURES.jest.pkg, {
      ...FIXTURES.jest.files,
      '--config=cfg.json': '',
      'cfg.json': JSON.stringify({ setupFiles: [`${outside}/evil.cjs`] }),
    });
    await refusesHostileFiles(root, 'jest');
    const named = await run(root, { runner: 'jest', files: ['--config=cfg.json'] });
    expect(named.command.slice(named.command.indexOf('--'))).toEqual(['--', './--config=cfg.json']);
    for (const pattern of [`--config={"setupFiles":["${outside}/evil.cjs"]}`, `--junitxml=${marker('junit.xml')}`, '-x']) {
      const result = await run(root, { runner: 'jest', testNamePattern: pattern });
      expect(result.command, pattern).toContain(`--testNamePattern=${pattern}`);
      expect(result.summary.passed, pattern).toBe(0);
    }
    noMarkers();
    const good = await run(root, { runner: 'jest', files: ['sum.test.js'], testNamePattern: 'adds' });
    expect(good).toMatchObject({ status: 'passed', summary: { passed: 2, failed: 0 } });
  }, 120_000);

  it('mocha', async () => {
    const root = join(dir.path, 'mocha');
    await jsProject(root, FIXTURES.mocha.pkg, {
      ...FIXTURES.mocha.files,
      '--require=evil.cjs': "it('is named like an option', () => {});\n",
      'evil.cjs': `require('node:fs').writeFileSync(${JSON.stringify(marker('required'))}, '');\n`,
    });
    await refusesHostileFiles(root, 'mocha');
    const named = await run(root, { runner: 'mocha', files: ['--require=evil.cjs'] });
    expect(named).toMatchObject({ status: 'passed', summary: { passed: 1 } }); // run as the spec it is
    for (const pattern of [`--require=${outside}/evil.cjs`, `--junitxml=${marker('junit.xml')}`, '-x']) {
      const result = await run(root, { runner: 'mocha', testNamePattern: pattern });
      expect(result.command, pattern).toContain(`--grep=${pattern}`);
      expect(result.summary.passed, pattern).toBe(0); // some of these are invalid regexes ("t-l" in a temp path): an error, not an option
    }
    noMarkers();
    const good = await run(root, { runner: 'mocha', files: ['test/a.spec.js'], testNamePattern: 'has one' });
    expect(good).toMatchObject({ status: 'passed', summary: { passed: 1, failed: 0 } });
  }, 120_000);

  it('node', async () => {
    const root = join(dir.path, 'node');
    await jsProject(root, FIXTURES.node.pkg, FIXTURES.node.files);
    await refusesHostileFiles(root, 'node');
    for (const pattern of [`--require=${outside}/evil.cjs`, `--junitxml=${marker('junit.xml')}`, '-x']) {
      const result = await run(root, { runner: 'node', testNamePattern: pattern });
      expect(result.command, pattern).toContain(`--test-name-pattern=${pattern}`);
      expect(result.summary.passed, pattern).toBe(0);
    }
    noMarkers();
    const good = await run(root, { runner: 'node', files: ['test/a.test.js'], testNamePattern: 'adds' });
    expect(good.command.slice(good.command.indexOf('--'))).toEqual(['--', './test/a.test.js']);
    expect(good).toMatchObject({ status: 'passed', summary: { passed: 1, failed: 0 } });
  }, 120_000);

  it('npm-script', async () => {
    const root = join(dir.path, 'script');
    await jsProject(root, { type: 'module', scripts: { test: 'node --test' } }, FIXTURES.node.files);
    await refusesHostileFiles(root, 'npm-script');
    await expect(run(root, { runner: 'npm-script', files: ['test/a.test.js;touch pwned'] })).rejects.toThrow(/does not exist/);
    noMarkers();
    const good = await run(root, { runner: 'npm-script', files: ['test/a.test.js'] });
    expect(good.command).toEqual(['npm', 'run', 'test', '--', './test/a.test.js']);
    expect(good.status).toBe('failed'); // its text summary: the fixture has one failing test
  }, 120_000);

  it.skipIf(!hasPytest)(
    'pytest',
    async () => {
      const root = join(dir.path, 'py');
      await writeFiles(root, {
        'pytest.ini': '[pytest]\n',
        'tests/test_math.py': 'def test_adds():\n    assert 1 + 1 == 2\n\ndef test_other():\n    assert True\n',
        // `-p<name>` anywhere in argv loads a plugin, even after "--"; the repository's own module is the payload here.
        '-pevilplug': '',
        'evilplug.py': `open(${JSON.stringify(marker('plugin-loaded'))}, 'w').close()\n`,
      });
      await refusesHostileFiles(root, 'pytest');
      const named = await run(root, { runner: 'pytest', files: ['-pevilplug'] });
      expect(named.command).toContain('./-pevilplug');
      for (const pattern of hostilePatterns()) {
        await expect(run(root, { runner: 'pytest', testNamePattern: pattern }), pattern).rejects.toThrow(/cannot start with "-"/);
      }
      noMarkers();
      const good = await run(root, { runner: 'pytest', files: ['tests/test_math.py'], testNamePattern: 'adds' });
      expect(good).toMatchObject({ status: 'passed', summary: { passed: 1, failed: 0 } });
    },
    120_000,
  );

  it.skipIf(!hasCargo)(
    'cargo',
    async () => {
      const root = join(dir.path, 'crate');
      await writeFiles(root, {
        'Cargo.toml': '[package]\nname = "fixture"\nversion = "0.1.0"\nedition = "2021"\n',
        'src/lib.rs': '#[cfg(test)]\nmod tests {\n    #[test] fn adds() {}\n    #[test] fn other() {}\n}\n',
      });
      await refusesHostileFiles(root, 'cargo');
      for (const pattern of hostilePatterns()) {
        await expect(run(root, { runner: 'cargo', testNamePattern: pattern, timeoutSec: 300 }), pattern).rejects.toThrow(/cannot start with "-"/);
      }
      noMarkers();
      const good = await run(root, { runner: 'cargo', testNamePattern: 'adds', timeoutSec: 300 });
      expect(good).toMatchObject({ status: 'passed', summary: { passed: 1, failed: 0 } });
    },
    300_000,
  );

  it("the delegate agent's run_tests goes through the same checks", async () => {
    const root = join(dir.path, 'agent');
    await jsProject(root, FIXTURES.mocha.pkg, FIXTURES.mocha.files);
    const ctx = await context(root);
    const call = (args: object) => runAgentTool('run_tests', JSON.stringify(args), 'workspace-write', ctx);
    const refused = await call({ files: [`--require=${outside}/evil.cjs`] });
    expect(refused.output).toMatch(/^error: file "--require=.*" does not exist/);
    const pattern = await call({ testNamePattern: `--require=${outside}/evil.cjs` });
    expect(pattern.command?.command).toContain(`--grep=--require=${outside}/evil.cjs`);
    noMarkers();
    const good = await call({ files: ['test/a.spec.js'], testNamePattern: 'has one' });
    expect(good.output).toMatch(/^PASSED: 1 passed, 0 failed/);
  }, 120_000);
});
