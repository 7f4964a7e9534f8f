import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { npmProject } from '../../bench/corpus.mjs';
import { loadConfig } from '../../src/config.js';
import { testScriptPlan } from '../../src/core/project.js';
import { runTests } from '../../src/tools/run-tests/run.js';
import { RunTestsInput, type RunTestsOutput } from '../../src/tools/run-tests/schema.js';
import { toolContext } from '../helpers/context.js';
import { BATON_NODE_MODULES } from '../helpers/projects.js';
import { tempDir } from '../helpers/repo.js';

/**
 * Real projects as published on npm (pinned, cached outside the repository by bench/corpus.mjs):
 * Baton's counts must equal those of the project's own test command (the runner step of its
 * scripts.test, run by a shell exactly as written), on the tarball as published and with one
 * injected failure, which Baton must name with its file and line and onlyFailed re-run alone.
 * Run with `npm run test:corpus` (needs the npm registry the first time).
 */

interface CorpusProject {
  name: string;
  version: string;
  /** The test file the injected failure is appended to. */
  inject: string;
}

const CORPUS: CorpusProject[] = [
  // mocha --reporter=spec test/*-test.js && npm run lint
  { name: 'hash.js', version: '1.1.7', inject: 'test/hash-test.js' },
  // mocha --reporter=spec test/*-test.js
  { name: 'hmac-drbg', version: '1.0.1', inject: 'test/drbg-test.js' },
  // NODE_OPTIONS=--openssl-legacy-provider mocha --reporter=spec test/*-test.js
  { name: 'des.js', version: '1.1.0', inject: 'test/des-test.js' },
];

/** The package's runtime dependencies from the registry once; its test runner is Baton's own mocha. */
function prepare(project: CorpusProject): string {
  const root: string = npmProject(project.name, project.version);
  if (!existsSync(join(root, 'node_modules', '.corpus-deps'))) {
    execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: root, stdio: 'ignore' });
    mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
    if (!existsSync(join(root, 'node_modules', '.bin', 'mocha'))) symlinkSync('../mocha/bin/mocha.js', join(root, 'node_modules', '.bin', 'mocha'));
    writeFileSync(join(root, 'node_modules', '.corpus-deps'), '');
  }
  // The cache outlives checkouts: mocha is linked to the checkout running now, every time.
  rmSync(join(root, 'node_modules', 'mocha'), { force: true });
  symlinkSync(join(BATON_NODE_MODULES, 'mocha'), join(root, 'node_modules', 'mocha'));
  return root;
}

/** The project's own command: its runner step, run by sh as written, with the spec reporter's counts. */
function ownCounts(root: string, step: string): { total: number; passed: number; failed: number; skipped: number } {
  const result = spawnSync('sh', ['-c', step], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`, NO_COLOR: '1' },
  });
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(result.stdout)?.[1] ?? 0);
  const passed = count('passing');
  const failed = count('failing');
  const skipped = count('pending');
  return { total: passed + failed + skipped, passed, failed, skipped };
}

describe.each(CORPUS)('corpus: $name@$version', (project) => {
  let root: string;
  let step: string;
  let state: Awaited<ReturnType<typeof tempDir>>;
  const run = async (input: Partial<RunTestsInput> = {}): Promise<RunTestsOutput> =>
    runTests(RunTestsInput.parse({ waitSec: 300, ...input }), await toolContext(root, state.path, loadConfig({}, {})));

  beforeAll(async () => {
    root = prepare(project);
    state = await tempDir();
    const plan = await testScriptPlan(root, '');
    if (plan?.kind !== 'runner') throw new Error(`${project.name}: expected a runner step in scripts.test`);
    step = [...Object.entries(plan.step.env).map(([name, value]) => `${name}=${value}`), ...plan.step.argv].join(' ');
  }, 300_000);
  afterAll(async () => {
    execFileSync('git', ['checkout', '--', '.'], { cwd: root });
    await state.cleanup();
  });

  it("counts equal the project's own command's, as published", async () => {
    const result = await run();
    console.log(`${project.name}@${project.version} | ${step} | ${result.command.slice(1).join(' ')} | ${JSON.stringify(result.summary)}`);
    expect(result.summary).toEqual(ownCounts(root, step));
  }, 300_000);

  it('one injected failure: the same counts, named with file and line, and onlyFailed re-runs it alone', async () => {
    appendFileSync(
      join(root, project.inject),
      "\ndescribe('baton corpus', function() {\n  it('injected failure', function() {\n    throw new Error('injected');\n  });\n});\n",
    );
    const result = await run();
    const own = ownCounts(root, step);
    expect(own.failed).toBe(1);
    expect(result.summary).toEqual(own);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ name: 'baton corpus > injected failure', file: project.inject, line: expect.any(Number) });
    const again = await run({ onlyFailed: true });
    expect(again.summary).toEqual({ total: 1, passed: 0, failed: 1, skipped: 0 });
    execFileSync('git', ['checkout', '--', project.inject], { cwd: root });
  }, 300_000);
});
