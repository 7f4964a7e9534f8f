import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { RunnerId } from '../../src/core/project.js';
import { RUNNERS } from '../../src/tools/run-tests/runners/index.js';
import type { RunRequest } from '../../src/tools/run-tests/runners/runner.js';

/**
 * The argv each runner is given, checked without running it (so also where go, cargo or
 * python are not installed): `files` and `testNamePattern` must never reach a runner as an
 * option of its own. The e2e twin (test/e2e/run-tests-hostile.test.ts) runs the real runners.
 */

// Baton's own checkout has node_modules/.bin/{vitest,jest,mocha}, which the JS runners look up.
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** A real folder: the mocha runner writes its reporter there. */
const REPORT_DIR = mkdtempSync(join(tmpdir(), 'baton-argv-test-'));
afterAll(() => rmSync(REPORT_DIR, { recursive: true, force: true }));

const request = (over: Partial<RunRequest> = {}): RunRequest => ({
  root: ROOT,
  dir: ROOT,
  files: [],
  reportDir: REPORT_DIR,
  packageManager: 'npm',
  ...over,
});

const args = async (runner: RunnerId, over: Partial<RunRequest>): Promise<string[]> => (await RUNNERS[runner].invocation(request(over))).args;

/** Values that are options of some runner; run.ts refuses them as files, and the runners must still not read them as options. */
const HOSTILE_FILES = ['--import=data:text/javascript,process.exit(7)', '-r', '--require=x.js', '--junitxml=out.xml', '--config=x.json', '-pplugin'];
const HOSTILE_PATTERNS = ['--config=build.rustc-wrapper=/bin/sh', '-x', '--junitxml=/tmp/x', '--require=/tmp/x.js'];

/** Checks that hold for every runner that takes files: each one a ./ path, never a bare word that could be an option. */
const filesArePaths = (argv: string[]): void => {
  for (const file of HOSTILE_FILES) {
    expect(argv).not.toContain(file);
    expect(argv).toContain(`./${file}`);
  }
  expect(argv).toContain('./test/a.test.js');
};
const FILES = [...HOSTILE_FILES, 'test/a.test.js'];

/** The pattern is glued to its option with "=": one argv element that no parser splits. */
const patternGlued = async (runner: RunnerId, option: string): Promise<void> => {
  for (const pattern of [...HOSTILE_PATTERNS, 'adds']) {
    const argv = await args(runner, { testNamePattern: pattern });
    expect(argv).toContain(`${option}${pattern}`);
    expect(argv).not.toContain(pattern);
    expect(argv).not.toContain('-t');
  }
};

/** Files after a "--" the runner honours, each a ./ path. */
const afterDoubleDash = (argv: string[]): string[] => argv.slice(argv.indexOf('--') + 1);

describe('run-tests argv: files and testNamePattern can never be options', () => {
  it('vitest: ./ files and no "--" (vitest drops what follows it); --testNamePattern=<pattern>', async () => {
    const argv = await args('vitest', { files: FILES });
    filesArePaths(argv);
    expect(argv).not.toContain('--');
    await patternGlued('vitest', '--testNamePattern=');
  });

  it('jest: "--" then ./ files; --testNamePattern=<pattern>', async () => {
    const argv = await args('jest', { files: FILES });
    filesArePaths(argv);
    expect(afterDoubleDash(argv)).toEqual(FILES.map((file) => `./${file}`));
    await patternGlued('jest', '--testNamePattern=');
  });

  it('mocha: ./ files and no "--" (mocha re-parses positionals, so it would not protect); --grep=<pattern>', async () => {
    const argv = await args('mocha', { files: FILES });
    filesArePaths(argv);
    expect(argv).not.toContain('--');
    await patternGlued('mocha', '--grep=');
  });

  it('node: "--" then ./ files (the folder itself as "."); --test-name-pattern=<pattern>', async () => {
    expect(afterDoubleDash(await args('node', { files: FILES }))).toEqual(FILES.map((file) => `./${file}`));
    expect(afterDoubleDash(await args('node', { files: ['.'] }))).toEqual(['.']);
    expect(await args('node', {})).not.toContain('--');
    await patternGlued('node', '--test-name-pattern=');
  });

  it('npm-script: ./ files after npm\'s own "--"; the pattern is not passed (the script decides its filters)', async () => {
    const plain = FILES.filter((file) => !file.includes('(')); // the data: URL is refused below, for its parentheses
    expect(await args('npm-script', { files: plain })).toEqual(['run', 'test', '--', ...plain.map((file) => `./${file}`)]);
    expect((await args('npm-script', { testNamePattern: '--require=/tmp/x.js' })).join(' ')).not.toMatch(/require/);
  });

  it('npm-script: refuses a file name a shell would split or interpret (the script runs through one)', async () => {
    for (const file of ['a b.test.js', 'x;touch pwned', '$(id).js', 'a`b`.js', "it's.js", 'x\n-r', HOSTILE_FILES[0]!]) {
      await expect(args('npm-script', { files: [file] }), file).rejects.toThrow(UserError);
    }
    expect(await args('npm-script', { files: ['src/ünï-côdé_1.test.js'] })).toContain('./src/ünï-côdé_1.test.js');
  });

  it('pytest: ./ files and no "--" (pytest loads -p plugins even after it); -k and the expression as the next element, refused when it reads as an option', async () => {
    const argv = await args('pytest', { files: FILES });
    filesArePaths(argv);
    expect(argv).not.toContain('--');
    const filtered = await args('pytest', { testNamePattern: 'adds and not slow' });
    expect(filtered[filtered.indexOf('-k') + 1]).toBe('adds and not slow');
    for (const pattern of HOSTILE_PATTERNS) {
      await expect(args('pytest', { testNamePattern: pattern }), pattern).rejects.toThrow(/cannot start with "-"/);
    }
  });

  it('go: files become ./ package folders; -run=<pattern>', async () => {
    const argv = await args('go', { files: ['-r', 'pkg/a/x_test.go', 'pkg/a/y_test.go'] });
    expect(argv.filter((arg) => !arg.startsWith('-'))).toEqual(['test', './.', './pkg/a']);
    await patternGlued('go', '-run=');
  });

  it('cargo: the filter is the TESTNAME positional, refused when it reads as an option', async () => {
    expect(await args('cargo', { testNamePattern: 'tests::adds' })).toEqual(['test', '--no-fail-fast', '--color', 'never', 'tests::adds']);
    for (const pattern of HOSTILE_PATTERNS) {
      await expect(args('cargo', { testNamePattern: pattern }), pattern).rejects.toThrow(/cannot start with "-"/);
    }
  });
});

describe('run-tests argv: go onlyFailed', () => {
  it('runs only the packages the failures are in, with an anchored name pattern', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'baton-go-argv-'));
    await writeFile(join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.22\n');
    const argv = await args('go', {
      root: dir,
      dir,
      only: [
        { name: 'TestEq', file: 'example.com/m/semver', status: 'failed' },
        { name: 'TestEq/sub', file: 'example.com/m/semver', status: 'failed' },
      ],
    });
    expect(argv).toEqual(['test', '-json', '-run=^(TestEq)$', './semver']);
  });
});
