import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runTests } from '../../src/tools/run-tests/run.js';
import { RunTestsInput, type RunTestsOutput } from '../../src/tools/run-tests/schema.js';
import { toolContext } from '../helpers/context.js';
import { jsProject } from '../helpers/projects.js';
import { tempDir } from '../helpers/repo.js';

/**
 * Small projects mirroring the examples: Baton runs the runner step of the project's
 * own test script with every argument the project gave it, so its counts are the script's.
 */

const mochaTest = (title: string, body = '') => `describe('${title}', () => {\n  it('works', () => { ${body} });\n  it('works too', () => {});\n});\n`;

describe("run-tests runs what the project's test script runs", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const run = async (root: string, input: Partial<RunTestsInput> = {}): Promise<RunTestsOutput> =>
    runTests(RunTestsInput.parse({ waitSec: 120, ...input }), await toolContext(root, join(dir.path, 'state', root.split('/').pop()!), loadConfig({}, {})));

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  it('mocha --require test/support/env --reporter spec --check-leaks test/ test/acceptance/: both folders, the require, the reporter replaced', async () => {
    const root = join(dir.path, 'mocha-require');
    await jsProject(
      root,
      { scripts: { test: 'mocha --require test/support/env --reporter spec --check-leaks test/ test/acceptance/' } },
      {
        'test/support/env.js': "process.env.FROM_SUPPORT = 'yes';\n",
        'test/app.js': mochaTest('app', "require('node:assert').strictEqual(process.env.FROM_SUPPORT, 'yes');"),
        'test/acceptance/routes.js': mochaTest('routes') + mochaTest('more routes'),
      },
    );
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'mocha', status: 'passed', summary: { total: 6, passed: 6, failed: 0, skipped: 0 } });
    expect(result.command).toEqual(expect.arrayContaining(['--require', 'test/support/env', '--check-leaks', 'test/', 'test/acceptance/']));
    expect(result.command).not.toContain('spec');
    expect(result.note).toMatch(/"--reporter spec" replaced by Baton's reporter/);
  });

  it("onlyFailed keeps the project's --require and re-runs exactly the failed test", async () => {
    const root = join(dir.path, 'mocha-only');
    await jsProject(
      root,
      { scripts: { test: 'mocha --require test/support/env test/ test/acceptance/' } },
      {
        'test/support/env.js': "process.env.FROM_SUPPORT = 'yes';\n",
        'test/app.js': `const assert = require('node:assert');\ndescribe('eq', () => {\n  it('a', () => assert.strictEqual(process.env.FROM_SUPPORT, 'no'));\n  it('a b', () => {});\n});\n`,
        'test/acceptance/routes.js': mochaTest('routes'),
      },
    );
    const first = await run(root);
    expect(first.summary).toEqual({ total: 4, passed: 3, failed: 1, skipped: 0 });
    expect(first.failures[0]).toMatchObject({ name: 'eq > a', file: expect.stringMatching(/test\/app\.js$/), line: 3 });
    const again = await run(root, { onlyFailed: true });
    expect(again.summary).toEqual({ total: 1, passed: 0, failed: 1, skipped: 0 });
    expect(again.failures[0]!.excerpt).toMatch(/'yes'/); // the require ran: the value came from test/support/env
  });

  it('vitest run --typecheck: the type tests count too', async () => {
    const root = join(dir.path, 'vitest-typecheck');
    await jsProject(
      root,
      { type: 'module', scripts: { test: 'vitest run --typecheck' } },
      {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', noEmit: true, skipLibCheck: true },
          include: ['src'],
        }),
        'src/add.ts': 'export const add = (a: number, b: number): number => a + b;\n',
        'src/add.test.ts': "import { expect, it } from 'vitest';\nimport { add } from './add';\nit('adds', () => expect(add(1, 2)).toBe(3));\n",
        'src/add.test-d.ts':
          "import { expectTypeOf, test } from 'vitest';\nimport { add } from './add';\ntest('add returns a number', () => { expectTypeOf(add(1, 2)).toEqualTypeOf<number>(); });\n",
      },
    );
    const result = await run(root);
    expect(result.command).toContain('--typecheck');
    expect(result).toMatchObject({ runner: 'vitest', status: 'passed', summary: { total: 2, passed: 2 } });
  }, 120_000);

  it('cross-env NODE_ENV=… jest: the variable reaches the tests', async () => {
    const root = join(dir.path, 'jest-cross-env');
    await jsProject(
      root,
      { scripts: { test: 'cross-env APP_MODE=ci jest --runInBand' } },
      {
        'env.test.js': "test('sees the script\\'s variable', () => expect(process.env.APP_MODE).toBe('ci'));\n",
      },
    );
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'jest', status: 'passed', summary: { total: 1, passed: 1 } });
    expect(result.command).toContain('--runInBand');
  }, 120_000);

  it('npm run lint && npm run build && mocha: the build runs first, the lint is named and not run', async () => {
    const root = join(dir.path, 'build-first');
    await jsProject(
      root,
      { scripts: { lint: 'eslint .', build: 'node scripts/build.js', test: 'npm run lint && npm run build && mocha lib/test' } },
      {
        'scripts/build.js':
          "const fs = require('node:fs');\nfs.mkdirSync('lib/test', { recursive: true });\nfs.copyFileSync('src/test.js', 'lib/test/test.js');\n",
        'src/test.js': mochaTest('built'),
      },
    );
    const result = await run(root);
    expect(existsSync(join(root, 'lib/test/test.js'))).toBe(true);
    expect(result).toMatchObject({ runner: 'mocha', status: 'passed', summary: { total: 2, passed: 2 }, skippedSteps: ['npm run lint'] });
    expect(result.note).toMatch(/ran the script's build step first: npm run build/);
    expect(result.note).toMatch(/runner "npm-script" runs the whole test script/);
  });

  it('a failing build step stops the run with status error and says which step', async () => {
    const root = join(dir.path, 'build-fails');
    await jsProject(root, { scripts: { build: 'node -e "process.exit(3)"', test: 'npm run build && mocha' } }, { 'test/a.js': mochaTest('a') });
    const result = await run(root);
    expect(result).toMatchObject({ status: 'error', runner: 'mocha', summary: { total: 0 } });
    expect(result.note).toMatch(/build step "npm run build" failed \(exit 3\); the tests did not run/);
  });

  it('npm-run-all lint test:unit follows the scripts to the runner step', async () => {
    const root = join(dir.path, 'run-all');
    await jsProject(
      root,
      { scripts: { lint: 'eslint .', 'test:unit': 'mocha test/unit', test: 'npm-run-all lint test:unit' } },
      {
        'test/unit/a.js': mochaTest('unit'),
        'test/other.js': mochaTest('not in the script'),
      },
    );
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'mocha', status: 'passed', summary: { total: 2 }, skippedSteps: ['npm run lint'] });
  });

  it('a script Baton cannot follow runs whole as npm-script, and says why', async () => {
    const root = join(dir.path, 'two-steps');
    await jsProject(
      root,
      { scripts: { test: 'mocha test/unit && mocha test/integration' } },
      {
        'test/unit/a.js': mochaTest('unit'),
        'test/integration/b.js': mochaTest('integration'),
      },
    );
    const result = await run(root);
    expect(result.runner).toBe('npm-script');
    expect(result.note).toMatch(/2 test commands .* runs the whole script as npm-script/);
    expect(result.status).toBe('passed');
  });

  it('a test script that is not a runner wins over a runner in the dependencies', async () => {
    const root = join(dir.path, 'custom');
    await jsProject(
      root,
      { scripts: { test: 'node run-all.js' }, devDependencies: { mocha: '*' } },
      {
        'run-all.js': "console.log('7 passed');\n",
        'test/a.js': mochaTest('would be a guess'),
      },
    );
    const result = await run(root);
    expect(result).toMatchObject({ runner: 'npm-script', summary: { total: 7, passed: 7 } });
  });
});
