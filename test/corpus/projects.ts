import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: plain .mjs helpers shared with the benchmarks
import { cargoDirectorySource, debBinaryProject, debSourceProject } from '../../bench/corpus-debian.mjs';
// @ts-expect-error: plain .mjs helpers shared with the benchmarks
import { CACHE, commitAll, npmProject } from '../../bench/corpus.mjs';
import type { RunnerId } from '../../src/core/project.js';
import { BATON_NODE_MODULES } from '../helpers/projects.js';

/**
 * The real projects of the run-tests corpus: what they are, where they come from (pinned), the
 * command the project itself runs its tests with, and where one failure is injected.
 */

export interface Counts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface CorpusProject {
  name: string;
  runner: Exclude<RunnerId, 'npm-script'>;
  /** Fetches (once, cached) and installs the project; returns the checkout's root. */
  prepare: () => string;
  /** The tested package inside the checkout (a monorepo's), '' for the root. */
  path: string;
  /** The project's own test command, as its scripts (or its ecosystem) run it; sh runs it in `path`. */
  own: string;
  /** A program that must be on PATH; without it the project is skipped with a printed reason. */
  needs?: string;
  /** The one failure injected: appended to a test file, or an edit of an existing test. */
  inject: { file: string; append?: string; replace?: [string, string] };
  /** The name Baton must give the injected failure. */
  failure: string;
}

const mochaFailure = "\ndescribe('baton corpus', function () {\n  it('injected failure', function () {\n    throw new Error('injected');\n  });\n});\n";
const pythonFailure = "\n\ndef test_baton_injected():\n    assert 1 + 1 == 3, 'injected'\n";
const goFailure = '\nfunc TestBatonInjected(t *testing.T) {\n\tt.Fatal("injected")\n}\n';

/**
 * The package's runtime dependencies from the registry once, and the mocha its devDependencies
 * name (the newest release in the range, pinned here): the mocha the project itself runs, old
 * ones included. It is installed once in a folder of its own and linked, as the rest of
 * devDependencies (linters) is not needed.
 */
function withMocha(root: string, version: string): string {
  if (!existsSync(join(root, 'node_modules', '.corpus-deps'))) {
    npmInstall(root, ['--omit=dev']);
    writeFileSync(join(root, 'node_modules', '.corpus-deps'), '');
  }
  const release = join(CACHE, `rt-mocha-${version}`);
  if (!existsSync(join(release, '.corpus-ready'))) {
    rmSync(release, { recursive: true, force: true });
    mkdirSync(release, { recursive: true });
    writeFileSync(join(release, 'package.json'), JSON.stringify({ name: 'corpus-mocha', private: true, dependencies: { mocha: version } }));
    npmInstall(release, []);
    writeFileSync(join(release, '.corpus-ready'), '');
  }
  // Linked anew every time: a cache made by an earlier corpus may link another mocha.
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  rmSync(join(root, 'node_modules', 'mocha'), { recursive: true, force: true });
  rmSync(join(root, 'node_modules', '.bin', 'mocha'), { force: true });
  symlinkSync(join(release, 'node_modules', 'mocha'), join(root, 'node_modules', 'mocha'));
  const { bin } = JSON.parse(readFileSync(join(release, 'node_modules', 'mocha', 'package.json'), 'utf8')) as { bin: { mocha: string } };
  symlinkSync(join('..', 'mocha', bin.mocha), join(root, 'node_modules', '.bin', 'mocha'));
  return root;
}

/** The project's dev dependencies from the npm registry (its lockfile when it has one), once. */
function withDevDependencies(root: string, lockfile = false): string {
  if (existsSync(join(root, 'node_modules', '.corpus-deps'))) return root;
  if (lockfile) execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, stdio: 'ignore' });
  else npmInstall(root, []);
  writeFileSync(join(root, 'node_modules', '.corpus-deps'), '');
  return root;
}

function npmInstall(root: string, extra: string[]): void {
  execFileSync('npm', ['install', ...extra, '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: root, stdio: 'ignore' });
}

/** A workspace root holding a published package as one of its packages, dependencies hoisted to the root. */
function monorepoOf(name: string, version: string, folder: string): string {
  const root = join(CACHE, `rt-monorepo-${name.replace('/', '__')}-${version}`);
  if (existsSync(join(root, '.corpus-ready'))) return root;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'packages'), { recursive: true });
  cpSync(npmProject(name, version), join(root, 'packages', folder), { recursive: true, filter: (source) => !/\/(\.git|\.corpus-ready)$/.test(source) });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'corpus-monorepo', private: true, workspaces: ['packages/*'], scripts: { test: 'npm test --workspaces' } }, null, 2),
  );
  writeFileSync(join(root, '.gitignore'), 'node_modules\n');
  npmInstall(root, []);
  commitAll(root);
  return root;
}

export const CORPUS: CorpusProject[] = [
  {
    // scripts.test: mocha --reporter=spec test/*-test.js && npm run lint; mocha ^5.2.0, whose
    // JSON reporter writes to stdout only
    name: 'hash.js@1.1.7 (npm, mocha 5.2.0)',
    runner: 'mocha',
    prepare: () => withMocha(npmProject('hash.js', '1.1.7'), '5.2.0'),
    path: '',
    own: 'mocha --reporter=spec test/*-test.js',
    inject: { file: 'test/hash-test.js', append: mochaFailure },
    failure: 'baton corpus > injected failure',
  },
  {
    // mocha ^3.2.0: the oldest mocha of the corpus
    name: 'hmac-drbg@1.0.1 (npm, mocha 3.5.3)',
    runner: 'mocha',
    prepare: () => withMocha(npmProject('hmac-drbg', '1.0.1'), '3.5.3'),
    path: '',
    own: 'mocha --reporter=spec test/*-test.js',
    inject: { file: 'test/drbg-test.js', append: mochaFailure },
    failure: 'baton corpus > injected failure',
  },
  {
    name: 'des.js@1.1.0 (npm, mocha 10.8.2)',
    runner: 'mocha',
    prepare: () => withMocha(npmProject('des.js', '1.1.0'), '10.8.2'),
    path: '',
    own: 'NODE_OPTIONS=--openssl-legacy-provider mocha --reporter=spec test/*-test.js',
    inject: { file: 'test/des-test.js', append: mochaFailure },
    failure: 'baton corpus > injected failure',
  },
  {
    // A package of a workspace (dependencies hoisted to the root); scripts.test:
    // mocha --recursive -R dot "lib/**/*.test.js" (a quoted glob mocha expands, a reporter replaced)
    name: '@sinonjs/commons@3.0.1 (npm, as packages/commons of a workspace)',
    runner: 'mocha',
    prepare: () => monorepoOf('@sinonjs/commons', '3.0.1', 'commons'),
    path: 'packages/commons',
    own: 'mocha --recursive -R dot "lib/**/*.test.js"',
    inject: { file: 'packages/commons/lib/every.test.js', append: mochaFailure },
    failure: 'baton corpus > injected failure',
  },
  {
    // scripts.test: WARN_EXIT=1 jest --coverage -w 2 (jest 27 from the registry)
    name: 'arg@5.0.2 (Debian source node-arg)',
    runner: 'jest',
    prepare: () => withDevDependencies(debSourceProject('node-arg', '5.0.2-2')),
    path: '',
    own: 'WARN_EXIT=1 jest --coverage -w 2',
    inject: { file: 'test.js', append: "\ntest('baton corpus injected failure', () => {\n  throw new Error('injected');\n});\n" },
    failure: 'baton corpus injected failure',
  },
  {
    // scripts.test: npm run test:unit && npm run test:typescript; test:unit is c8 --100 node --test,
    // test:typescript is tstyche (a type check, not run)
    name: '@fastify/error@4.3.0 (npm)',
    runner: 'node',
    prepare: () => npmProject('@fastify/error', '4.3.0'),
    path: '',
    own: 'node --test',
    inject: { file: 'test/index.test.js', append: "\ntest('baton corpus injected failure', () => {\n  throw new Error('injected')\n})\n" },
    failure: 'baton corpus injected failure',
  },
  {
    // scripts.test: pnpm vitest run (the published package's 146 test files, Baton's vitest)
    name: 'zod@4.1.12 (npm)',
    runner: 'vitest',
    prepare: () => withBatonNodeModules(npmProject('zod', '4.1.12')),
    path: '',
    own: 'vitest run',
    inject: { file: 'src/v4/classic/tests/union.test.ts', append: '\ntest("baton corpus injected failure", () => {\n  throw new Error("injected");\n});\n' },
    failure: 'baton corpus injected failure',
  },
  {
    name: 'toolz@0.12.0 (Debian python3-toolz)',
    runner: 'pytest',
    prepare: () =>
      debBinaryProject('python3-toolz', '0.12.0-1', { 'usr/lib/python3/dist-packages/toolz': 'toolz', 'usr/lib/python3/dist-packages/tlz': 'tlz' }),
    path: '',
    own: 'python3 -m pytest',
    needs: 'python3',
    inject: { file: 'toolz/tests/test_utils.py', append: pythonFailure },
    failure: 'toolz/tests/test_utils.py::test_baton_injected',
  },
  {
    // unittest TestCase classes, collected by pytest
    name: 'simplejson@3.18.3 (Debian python3-simplejson)',
    runner: 'pytest',
    prepare: () => debBinaryProject('python3-simplejson', '3.18.3-1', { 'usr/lib/python3/dist-packages/simplejson': 'simplejson' }),
    path: '',
    own: 'python3 -m pytest',
    needs: 'python3',
    inject: { file: 'simplejson/tests/test_tuple.py', append: pythonFailure },
    failure: 'simplejson/tests/test_tuple.py::test_baton_injected',
  },
  {
    // test_eq is also in tests/test_identifier.rs, and test_eq_hash in test_version_req.rs: cargo's
    // substring filter would re-run all three. The reference is `cargo test --no-fail-fast`, as
    // Baton runs it: plain `cargo test` stops at the first test binary that fails, so with a
    // failure it reports part of the suite.
    name: 'semver@1.0.14 (Debian librust-semver-dev)',
    runner: 'cargo',
    prepare: () =>
      debBinaryProject('librust-semver-dev', '1.0.14-1', { 'usr/share/cargo/registry/semver-1.0.14': '.' }, (root: string) =>
        cargoDirectorySource(root, { 'librust-serde-dev': '1.0.152-2' }),
      ),
    path: '',
    own: 'cargo test --no-fail-fast',
    needs: 'cargo',
    inject: { file: 'tests/test_version.rs', replace: ['fn test_eq() {\n', 'fn test_eq() {\n    assert_eq!(1 + 1, 3, "injected");\n'] },
    failure: 'test_eq',
  },
  {
    name: 'itoa@1.0.1 (Debian librust-itoa-dev)',
    runner: 'cargo',
    prepare: () => debBinaryProject('librust-itoa-dev', '1.0.1-2', { 'usr/share/cargo/registry/itoa-1.0.1': '.' }),
    path: '',
    own: 'cargo test --no-fail-fast',
    needs: 'cargo',
    inject: { file: 'tests/test.rs', append: '\n#[test]\nfn baton_injected() {\n    assert_eq!(1 + 1, 3, "injected");\n}\n' },
    failure: 'baton_injected',
  },
  {
    name: 'github.com/google/uuid@1.3.0 (Debian golang-github-google-uuid-dev)',
    runner: 'go',
    prepare: () => debBinaryProject('golang-github-google-uuid-dev', '1.3.0-1', { 'usr/share/gocode/src/github.com/google/uuid': '.' }),
    path: '',
    own: 'go test ./...',
    needs: 'go',
    inject: { file: 'uuid_test.go', append: goFailure },
    failure: 'TestBatonInjected',
  },
  {
    // Ten packages, four without tests.
    name: 'github.com/google/go-cmp@0.5.9 (Debian golang-github-google-go-cmp-dev)',
    runner: 'go',
    prepare: () => debBinaryProject('golang-github-google-go-cmp-dev', '0.5.9-1', { 'usr/share/gocode/src/github.com/google/go-cmp': '.' }),
    path: '',
    own: 'go test ./...',
    needs: 'go',
    inject: { file: 'cmp/options_test.go', append: goFailure },
    failure: 'TestBatonInjected',
  },
];

/** Baton's node_modules as the project's (its vitest), linked afresh each time: the cache outlives checkouts. */
function withBatonNodeModules(root: string): string {
  rmSync(join(root, 'node_modules'), { force: true, recursive: true });
  symlinkSync(BATON_NODE_MODULES, join(root, 'node_modules'));
  return root;
}

export function hasProgram(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}
