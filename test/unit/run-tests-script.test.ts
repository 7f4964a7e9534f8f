import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { detectTestRunners } from '../../src/core/project.js';
import { planTestScript, type TestScriptPlan } from '../../src/core/test-script.js';
import { RUNNERS } from '../../src/tools/run-tests/runners/index.js';
import type { RunRequest } from '../../src/tools/run-tests/runners/runner.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/** How scripts.test is read: the runner step with the project's arguments, what runs first, what is skipped, and when the script runs whole. */

const runnerPlan = (scripts: Record<string, string>, manager: 'npm' | 'pnpm' = 'npm'): TestScriptPlan => {
  const plan = planTestScript(scripts, manager);
  if (plan.kind !== 'runner') throw new Error(`expected a runner step, got: ${plan.reason}`);
  return plan;
};
const whole = (scripts: Record<string, string>): string => {
  const plan = planTestScript(scripts, 'npm');
  if (plan.kind !== 'script') throw new Error(`expected the whole script, got ${plan.runner}`);
  return plan.reason;
};

describe('scripts.test: the runner step with every argument the project gave it', () => {
  it("mocha with --require, its reporter and two folders (the issue's example)", () => {
    const plan = runnerPlan({ test: 'mocha --require test/support/env --reporter spec --check-leaks test/ test/acceptance/' });
    expect(plan).toMatchObject({
      runner: 'mocha',
      args: ['--require', 'test/support/env', '--reporter', 'spec', '--check-leaks', 'test/', 'test/acceptance/'],
      before: [],
      skipped: [],
    });
  });

  it('vitest run --typecheck keeps --typecheck', () => {
    expect(runnerPlan({ test: 'vitest run --typecheck' })).toMatchObject({ runner: 'vitest', args: ['run', '--typecheck'] });
  });

  it("variables and cross-env become the runner's environment", () => {
    expect(runnerPlan({ test: 'cross-env NODE_ENV=test TZ=UTC jest --runInBand' })).toMatchObject({
      runner: 'jest',
      args: ['--runInBand'],
      step: { env: { NODE_ENV: 'test', TZ: 'UTC' } },
    });
    expect(runnerPlan({ test: 'NODE_ENV=test mocha' })).toMatchObject({ runner: 'mocha', step: { env: { NODE_ENV: 'test' } } });
    expect(runnerPlan({ test: 'FOO=1 npm run unit', unit: 'mocha test/unit' })).toMatchObject({ args: ['test/unit'], step: { env: { FOO: '1' } } });
  });

  it('follows npm run, yarn, pnpm, npm-run-all, run-s and arguments after --', () => {
    expect(runnerPlan({ test: 'npm run lint && npm run test:unit', lint: 'eslint .', 'test:unit': 'mocha test/unit' })).toMatchObject({
      runner: 'mocha',
      args: ['test/unit'],
      skipped: ['npm run lint'],
    });
    expect(runnerPlan({ test: 'npm run test:unit -- --grep "a b"', 'test:unit': 'mocha' }).args).toEqual(['--grep', 'a b']);
    expect(runnerPlan({ test: 'npm-run-all lint test:*', lint: 'xo', 'test:node': 'node --test test/' })).toMatchObject({
      runner: 'node',
      args: ['--test', 'test/'],
      skipped: ['npm run lint'],
    });
    expect(runnerPlan({ test: 'run-s check-types unit', 'check-types': 'tsc --noEmit', unit: 'vitest run' }, 'pnpm')).toMatchObject({
      runner: 'vitest',
      skipped: ['pnpm run check-types'],
    });
    expect(runnerPlan({ test: 'yarn unit', unit: 'jest' })).toMatchObject({ runner: 'jest' });
    expect(runnerPlan({ test: 'npx mocha test' })).toMatchObject({ runner: 'mocha', args: ['test'] });
    // zod@4.1.12's script: pnpm and yarn run a bin by its name when no script has that name.
    expect(runnerPlan({ test: 'pnpm vitest run' })).toMatchObject({ runner: 'vitest', args: ['run'] });
    expect(runnerPlan({ test: 'yarn jest --ci' })).toMatchObject({ runner: 'jest', args: ['--ci'] });
    // @fastify/error@4.3.0's: the type tests (tstyche) are a check, named, not run.
    expect(
      runnerPlan({ test: 'npm run test:unit && npm run test:typescript', 'test:unit': 'c8 --100 node --test', 'test:typescript': 'tstyche' }),
    ).toMatchObject({ runner: 'node', args: ['--test'], skipped: ['tstyche'] });
  });

  it('build steps before the runner run first; checks are named, not run', () => {
    expect(runnerPlan({ test: 'npm run build && mocha', build: 'node scripts/build.js' })).toMatchObject({
      before: [{ text: 'npm run build', argv: ['npm', 'run', 'build'] }],
      skipped: [],
    });
    expect(runnerPlan({ test: 'tsc -p . && mocha dist/test' })).toMatchObject({ before: [{ argv: ['tsc', '-p', '.'] }] });
    expect(runnerPlan({ test: 'tsc --noEmit && eslint . && jest' })).toMatchObject({ before: [], skipped: ['tsc --noEmit', 'eslint .'] });
    expect(runnerPlan({ test: 'mocha; npm run build', build: 'tsc' })).toMatchObject({ before: [], skipped: ['npm run build'] });
  });

  it('npm runs pretest and posttest; pnpm does not', () => {
    expect(runnerPlan({ pretest: 'eslint .', test: 'mocha', posttest: 'rimraf tmp' })).toMatchObject({ skipped: ['eslint .', 'rimraf tmp'] });
    expect(runnerPlan({ pretest: 'eslint .', test: 'mocha' }, 'pnpm')).toMatchObject({ skipped: [] });
  });

  it('coverage wrappers are taken off and said', () => {
    const plan = runnerPlan({ test: 'nyc --reporter=lcov mocha test' });
    expect(plan).toMatchObject({ runner: 'mocha', args: ['test'] });
    expect(plan.notes.join()).toMatch(/nyc --reporter=lcov/);
  });

  it('what Baton cannot follow runs whole, never a guessed part', () => {
    expect(whole({ test: 'pnpm -r test' })).toMatch(/other packages/);
    expect(whole({ test: 'turbo run test' })).toMatch(/turbo run test/);
    expect(whole({ test: 'mocha | tee out.txt' })).toMatch(/"\|" needs a shell/);
    expect(whole({ test: 'mocha || true' })).toMatch(/"\|\|" needs a shell/);
    expect(whole({ test: 'mocha $FILES' })).toMatch(/"\$" needs a shell/);
    expect(whole({ test: 'node scripts/test.js' })).toMatch(/does not know/);
    expect(whole({ test: 'mocha test/unit && mocha test/integration' })).toMatch(/2 test commands/);
    expect(whole({ test: 'npm-run-all test:*', 'test:a': 'vitest run', 'test:b': 'jest' })).toMatch(/2 test commands/);
    expect(whole({ test: 'npm run missing' })).toMatch(/does not have/);
    expect(whole({ test: 'npm test' })).toMatch(/recursively/);
  });
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** A real folder: the mocha runner writes its reporter there. */
const REPORT_DIR = mkdtempSync(join(tmpdir(), 'baton-argv-test-'));
afterAll(() => rmSync(REPORT_DIR, { recursive: true, force: true }));

const request = (over: Partial<RunRequest>): RunRequest => ({
  root: ROOT,
  dir: ROOT,
  files: [],
  reportDir: REPORT_DIR,
  packageManager: 'npm',
  ...over,
});
const argsOf = async (runner: 'mocha' | 'vitest' | 'jest' | 'node', over: Partial<RunRequest>) => RUNNERS[runner].invocation(request(over));

describe("the runner invocation: the project's arguments plus Baton's reporter and filters", () => {
  it('mocha keeps --require, --check-leaks and both folders, replaces only the reporter', async () => {
    const invocation = await argsOf('mocha', {
      project: { args: ['--require', 'test/support/env', '--reporter', 'spec', '--check-leaks', 'test/', 'test/acceptance/'], env: { NODE_ENV: 'test' } },
    });
    expect(invocation.args.slice(0, 3)).toEqual(['--require', 'test/support/env', '--check-leaks']);
    expect(invocation.args.slice(-2)).toEqual(['test/', 'test/acceptance/']);
    expect(invocation.args).not.toContain('spec');
    expect(invocation.args.filter((arg) => arg === '--reporter')).toHaveLength(1);
    expect(invocation.replaced).toEqual(['--reporter spec']);
    expect(invocation.env).toMatchObject({ NODE_ENV: 'test' });
  });

  it("Baton's files replace the project's folders; its options stay", async () => {
    const invocation = await argsOf('mocha', { files: ['test/a.js'], project: { args: ['-r', 'setup.js', 'test/', '--spec', 'more/'], env: {} } });
    expect(invocation.args).toEqual(expect.arrayContaining(['-r', 'setup.js', './test/a.js']));
    expect(invocation.args).not.toContain('test/');
    expect(invocation.args).not.toContain('more/');
  });

  it("onlyFailed: the failed files and an exact full-title pattern, the project's grep dropped", async () => {
    const invocation = await argsOf('mocha', {
      only: [{ name: 'math > adds', id: 'math adds', file: 'test/m.js', status: 'failed' }],
      project: { args: ['--grep', 'fast', 'test/'], env: {} },
    });
    expect(invocation.args).toContain('--grep=^(math adds)$');
    expect(invocation.args).not.toContain('fast');
    expect(invocation.args).toContain('./test/m.js');
    expect(invocation.args).not.toContain('test/');
  });

  it("onlyFailed in a workspace package: the reports' root-relative files become the package's", async () => {
    const invocation = await argsOf('mocha', {
      dir: `${ROOT}/packages/commons`,
      only: [{ name: 'x > y', id: 'x y', file: 'packages/commons/lib/every.test.js', status: 'failed' }],
      project: { args: ['--recursive', 'lib/**/*.test.js'], env: {} },
    });
    expect(invocation.args).toContain('./lib/every.test.js');
    expect(invocation.args).not.toContain('lib/**/*.test.js');
  });

  it('vitest: --typecheck and --project kept, watch becomes run, reporters replaced', async () => {
    const invocation = await argsOf('vitest', { project: { args: ['watch', '--typecheck', '--project', 'unit', '--reporter=verbose', 'src/'], env: {} } });
    expect(invocation.args[0]).toBe('run');
    expect(invocation.args).toEqual(expect.arrayContaining(['--typecheck', '--project', 'unit', 'src/']));
    expect(invocation.args).not.toContain('watch');
    expect(invocation.args).not.toContain('--reporter=verbose');
    expect(invocation.replaced).toEqual(['--reporter=verbose']);
  });

  it("jest: array options keep their values, --watch and --json are Baton's business", async () => {
    const invocation = await argsOf('jest', { project: { args: ['--selectProjects', 'a', 'b', '--watch', '--json', '--runInBand', 'src'], env: {} } });
    expect(invocation.args.slice(0, 4)).toEqual(['--selectProjects', 'a', 'b', '--runInBand']);
    expect(invocation.args).not.toContain('--watch');
    expect(invocation.args.slice(-2)).toEqual(['--', 'src']);
  });

  it("node: --import and the folder kept, its reporters replaced by Baton's", async () => {
    const invocation = await argsOf('node', { project: { args: ['--import', 'tsx', '--test', '--test-reporter', 'dot', 'test/'], env: {} } });
    expect(invocation.args.slice(0, 3)).toEqual(['--import', 'tsx', '--test']);
    expect(invocation.args).not.toContain('dot');
    expect(invocation.args.slice(-2)).toEqual(['--', 'test/']);
  });
});

describe('detection of a Python project by its test files alone', () => {
  it('finds test_*.py in the folder, in tests/ or in a package tests/, and only when nothing else applies', async () => {
    const dir = await tempDir();
    try {
      const detect = async (files: Record<string, string>): Promise<string[]> => {
        const root = await mkdtemp(join(dir.path, 'p-'));
        await writeFiles(root, files);
        return (await detectTestRunners(root)).map((found) => `${found.runner}: ${found.reason}`);
      };
      expect(await detect({ 'toolz/__init__.py': '', 'toolz/tests/test_utils.py': 'def test_a(): pass\n' })).toEqual([
        'pytest: Python test files in toolz/tests (pytest also runs unittest tests)',
      ]);
      expect(await detect({ 'tests/test_a.py': '' })).toEqual(['pytest: Python test files in tests (pytest also runs unittest tests)']);
      expect(await detect({ 'calc_test.py': '' })).toEqual(['pytest: Python test files in the package folder (pytest also runs unittest tests)']);
      expect(await detect({ 'go.mod': 'module m\n', 'tests/test_e2e.py': '' })).toEqual(['go: go.mod']);
      expect(await detect({ 'tests/helpers.py': '', 'docs/test.txt': '' })).toEqual([]);
    } finally {
      await dir.cleanup();
    }
  });
});
