import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPathError } from './reading.js';
import { planTestScript, type TestScriptPlan, type WholeScriptPlan } from './test-script.js';
import { Workspace } from './workspace.js';

/**
 * What a project's own files say about it: manifests and their key facts, the package
 * manager, and which test runners apply. `repo-scan overview` reports it and `run-tests`
 * acts on it, so both read the project the same way.
 */

export const MANIFEST_NAMES = [
  'package.json',
  'deno.json',
  'pyproject.toml',
  'setup.cfg',
  'setup.py',
  'requirements.txt',
  'Pipfile',
  'Cargo.toml',
  'go.mod',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Gemfile',
  'composer.json',
  'CMakeLists.txt',
  'Makefile',
  'mix.exs',
  'Package.swift',
  'pubspec.yaml',
] as const;

export interface Manifest {
  path: string;
  name?: string | undefined;
  /** The few facts that matter: package manager, scripts, workspaces, module path, … */
  facts: Record<string, unknown>;
}

export type RunnerId = 'vitest' | 'jest' | 'mocha' | 'node' | 'npm-script' | 'pytest' | 'go' | 'cargo';

export interface DetectedRunner {
  runner: RunnerId;
  /** The package folder it runs in, relative to the root ('' = the root). */
  path: string;
  /** Why: the file or setting that gave it away. */
  reason: string;
}

type PackageJson = {
  name?: string;
  packageManager?: string;
  scripts?: Record<string, string>;
  workspaces?: string[] | { packages?: string[] };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const NPM_DEFAULT_TEST = /no test specified/;
/** Manifests are small; a bigger file under one of their names is not one to parse. */
const MANIFEST_MAX_BYTES = 1 << 20;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * A manifest's text, read through the workspace like every file: one that is missing, leads
 * outside the root, is no regular file or is too big reads as absent.
 */
async function readText(root: string, path: string): Promise<string | undefined> {
  try {
    return (await Workspace.ofRoot(root).readFile(path, { maxBytes: MANIFEST_MAX_BYTES })).toString('utf8');
  } catch (error) {
    if (isPathError(error) || typeof (error as NodeJS.ErrnoException).code === 'string') return undefined;
    throw error;
  }
}

async function readPackageJson(root: string, dir: string): Promise<PackageJson | undefined> {
  const text = await readText(root, dir ? `${dir}/package.json` : 'package.json');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as PackageJson;
  } catch {
    return undefined;
  }
}

const PYTHON_TEST_FILE = /^(test_.+|.+_test)\.py$/;

/**
 * Where a Python project without pytest configuration keeps its tests, by pytest's own naming:
 * `test_*.py` in the folder, in `tests/` or `test/`, or in a package's `tests/` (`toolz/tests/`).
 * One level of sub-folders is looked at (not symlinks), so the look stays cheap.
 */
async function pythonTestFolder(folder: string): Promise<string | undefined> {
  const names = async (dir: string): Promise<Array<{ name: string; dir: boolean }>> =>
    (await readdir(dir, { withFileTypes: true }).catch(() => [])).map((entry) => ({ name: entry.name, dir: entry.isDirectory() }));
  const hasTests = async (dir: string): Promise<boolean> => (await names(dir)).some((entry) => !entry.dir && PYTHON_TEST_FILE.test(entry.name));
  const top = await names(folder);
  if (top.some((entry) => !entry.dir && PYTHON_TEST_FILE.test(entry.name))) return '';
  const subfolders = top.filter((entry) => entry.dir && !entry.name.startsWith('.') && entry.name !== 'node_modules').slice(0, 200);
  for (const sub of subfolders) {
    if ((sub.name === 'tests' || sub.name === 'test') && (await hasTests(join(folder, sub.name)))) return sub.name;
  }
  for (const sub of subfolders) {
    for (const inner of ['tests', 'test']) {
      if (await hasTests(join(folder, sub.name, inner))) return `${sub.name}/${inner}`;
    }
  }
  return undefined;
}

/** npm, pnpm, yarn or bun, from the `packageManager` field or the lockfile in `dir` or above it up to `root`. */
export async function packageManagerOf(root: string, dir: string): Promise<'npm' | 'pnpm' | 'yarn' | 'bun'> {
  const declared = (await readPackageJson(root, dir))?.packageManager?.split('@')[0];
  if (declared === 'pnpm' || declared === 'yarn' || declared === 'bun' || declared === 'npm') return declared;
  const locks: Array<[string, 'npm' | 'pnpm' | 'yarn' | 'bun']> = [
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
    ['package-lock.json', 'npm'],
  ];
  const parts = dir ? dir.split('/') : [];
  for (let depth = parts.length; depth >= 0; depth--) {
    const folder = join(root, ...parts.slice(0, depth));
    for (const [file, manager] of locks) if (await exists(join(folder, file))) return manager;
  }
  return 'npm';
}

/** Facts from the manifests among `files` (root-relative paths), shallowest first. */
export async function readManifests(root: string, files: readonly string[], limit = 20): Promise<Manifest[]> {
  const names = new Set<string>(MANIFEST_NAMES);
  const found = files
    .filter((path) => names.has(path.slice(path.lastIndexOf('/') + 1)) && !/(^|\/)(node_modules|vendor|third_party)\//.test(path))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1))
    .slice(0, limit);
  return Promise.all(found.map((path) => describeManifest(root, path)));
}

async function describeManifest(root: string, path: string): Promise<Manifest> {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const text = (await readText(root, path)) ?? '';
  switch (file) {
    case 'package.json': {
      const pkg = (await readPackageJson(root, dir)) ?? {};
      const workspaces = Array.isArray(pkg.workspaces) ? pkg.workspaces : pkg.workspaces?.packages;
      return {
        path,
        name: pkg.name,
        facts: {
          packageManager: await packageManagerOf(root, dir),
          scripts: pkg.scripts ?? {},
          ...(workspaces ? { workspaces } : {}),
        },
      };
    }
    case 'pyproject.toml':
      return { path, name: tomlString(text, 'name'), facts: { pytestConfig: /^\[tool\.pytest\.ini_options\]/m.test(text) } };
    case 'Cargo.toml':
      return { path, name: tomlString(text, 'name'), facts: { workspace: /^\[workspace\]/m.test(text) } };
    case 'go.mod':
      return { path, name: /^module\s+(\S+)/m.exec(text)?.[1], facts: { go: /^go\s+(\S+)/m.exec(text)?.[1] } };
    case 'pom.xml':
      return { path, name: /<artifactId>([^<]+)<\/artifactId>/.exec(text)?.[1], facts: {} };
    case 'composer.json':
    case 'deno.json': {
      try {
        return { path, name: (JSON.parse(text) as { name?: string }).name, facts: {} };
      } catch {
        return { path, facts: {} };
      }
    }
    default:
      return { path, facts: {} };
  }
}

function tomlString(text: string, key: string): string | undefined {
  return new RegExp(`^${key}\\s*=\\s*["']([^"']+)["']`, 'm').exec(text)?.[1];
}

/**
 * How the package in `dir` runs its tests by its own `scripts.test`: the runner step with its
 * arguments, or why the script has to run whole. Undefined without a test script.
 */
export async function testScriptPlan(root: string, dir: string): Promise<TestScriptPlan | WholeScriptPlan | undefined> {
  const scripts = (await readPackageJson(root, dir))?.scripts;
  const test = scripts?.test;
  if (!scripts || !test || NPM_DEFAULT_TEST.test(test)) return undefined;
  return planTestScript(scripts, await packageManagerOf(root, dir));
}

/** The test runners that apply to the package in `dir` (root-relative), most specific first. */
export async function detectTestRunners(root: string, dir = ''): Promise<DetectedRunner[]> {
  const folder = join(root, dir);
  const runners: DetectedRunner[] = [];
  const add = (runner: RunnerId, reason: string): void => {
    if (!runners.some((r) => r.runner === runner)) runners.push({ runner, path: dir, reason });
  };

  // Every file that can tell is read at once: one after the other they wait on a busy thread pool in turn.
  const [pkg, pytestIni, pyproject, setupCfg, toxIni, conftest, goMod, cargoToml] = await Promise.all([
    readPackageJson(root, dir),
    exists(join(folder, 'pytest.ini')),
    readText(root, join(dir, 'pyproject.toml')),
    readText(root, join(dir, 'setup.cfg')),
    readText(root, join(dir, 'tox.ini')),
    exists(join(folder, 'conftest.py')),
    exists(join(folder, 'go.mod')),
    exists(join(folder, 'Cargo.toml')),
  ]);
  if (pkg) {
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    const testScript = pkg.scripts?.test;
    if (testScript && !NPM_DEFAULT_TEST.test(testScript)) {
      // The project's own test command decides; its dependencies would only be a guess.
      const plan = planTestScript(pkg.scripts ?? {}, await packageManagerOf(root, dir));
      if (plan.kind === 'runner') add(plan.runner, `package.json scripts.test runs ${plan.step.text}`);
      add('npm-script', `package.json scripts.test: ${testScript}`);
    } else {
      if ('vitest' in deps) add('vitest', 'vitest in package.json');
      if ('jest' in deps) add('jest', 'jest in package.json');
      if ('mocha' in deps) add('mocha', 'mocha in package.json');
    }
  }

  if (pytestIni) add('pytest', 'pytest.ini');
  else if (/^\[tool\.pytest\.ini_options\]/m.test(pyproject ?? '')) add('pytest', 'pyproject.toml [tool.pytest.ini_options]');
  else if (/^\[tool:pytest\]/m.test(setupCfg ?? '')) add('pytest', 'setup.cfg [tool:pytest]');
  else if (/^\[pytest\]/m.test(toxIni ?? '')) add('pytest', 'tox.ini [pytest]');
  else if (conftest) add('pytest', 'conftest.py');

  if (goMod) add('go', 'go.mod');
  if (cargoToml) add('cargo', 'Cargo.toml');
  // Test files alone, only where nothing above said how the project runs its tests.
  if (!runners.length) {
    const found = await pythonTestFolder(folder);
    if (found !== undefined) add('pytest', `Python test files in ${found || 'the package folder'} (pytest also runs unittest tests)`);
  }
  return runners;
}
