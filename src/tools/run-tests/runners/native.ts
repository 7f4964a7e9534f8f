import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseCargoTest } from '../parse/cargo-text.js';
import { parseGoTestJson } from '../parse/go-json.js';
import { parseJunit } from '../parse/junit.js';
import { fromReport } from './outcome.js';
import { exactNamesPattern, pathArg, refuseOptionLike, type RunRequest, type Runner } from './runner.js';

/** The project's virtualenv python when it has one, else python3 from PATH. */
async function python(request: RunRequest): Promise<string> {
  for (const dir of new Set([request.dir, request.root])) {
    for (const venv of ['.venv', 'venv']) {
      const candidate = join(dir, venv, 'bin', 'python');
      if (await access(candidate).then(() => true, () => false)) return candidate;
    }
  }
  return 'python3';
}

export const pytest: Runner = {
  id: 'pytest',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'pytest.xml');
    // ./ paths and no "--": pytest loads `-p<name>` plugins from anywhere in argv, "--" or not.
    const targets = (request.only?.length ? request.only.map((test) => test.id ?? test.name) : request.files).map(pathArg);
    // -k takes the next element, which argparse (and pytest's -p pre-scan) would read as an option if it began with "-".
    const expression = request.testNamePattern && !request.only?.length ? refuseOptionLike(request.testNamePattern, 'pytest', '"adds and not slow"') : undefined;
    return {
      file: await python(request),
      args: [
        '-m', 'pytest', `--junitxml=${reportFile}`, '-o', 'junit_family=xunit1',
        '-p', 'no:cacheprovider', // no .pytest_cache written into the repository
        '-v', '--color=no',
        ...(expression ? ['-k', expression] : []),
        ...targets,
      ],
      cwd: request.dir,
      env: { PYTHONDONTWRITEBYTECODE: '1' },
      reportFile,
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'junit', (text) => parseJunit(text, { root: request.root })),
  progress(line) {
    const done = /^(\S+?)::\S+ (PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)/.exec(line);
    return done ? { finished: 1, file: done[1]! } : undefined;
  },
};

export const go: Runner = {
  id: 'go',
  async invocation(request) {
    // Package folders always start with ./, so none reads as a flag (go test has no "--").
    // onlyFailed: only the packages the failures are in (a failure's file is its import path), not ./...
    const failedPackages = request.only?.length ? await packageFolders(request, request.only.map((test) => test.file)) : undefined;
    const packages = failedPackages ?? (request.files.length ? [...new Set(request.files.map((file) => `./${dirname(file)}`))] : ['./...']);
    const names = request.only?.map((test) => test.name.split('/')[0]!);
    const pattern = names?.length ? exactNamesPattern([...new Set(names)]) : request.testNamePattern;
    // Glued: one argv element whatever the pattern starts with.
    return { file: 'go', args: ['test', '-json', ...(pattern ? [`-run=${pattern}`] : []), ...packages], cwd: request.dir, reportOnStdout: true };
  },
  parse: (report, output) => fromReport(report, output, 'json', (text) => parseGoTestJson(text)),
  progress(line) {
    const event = /"Action":"(pass|fail|skip)".*"Test":"([^"]+)"/.exec(line);
    return event ? { finished: 1 } : undefined;
  },
};

export const cargo: Runner = {
  id: 'cargo',
  async invocation(request) {
    // TESTNAME is a positional of cargo's own parser, which would take `--config=…` as cargo's
    // option (build.rustc-wrapper runs a program). After "--" the test binary's parser would read
    // it as one of its options instead (--logfile writes a file), so a leading "-" is refused.
    const filter = request.only?.length || !request.testNamePattern ? [] : [refuseOptionLike(request.testNamePattern, 'cargo', 'tests::adds')];
    const only = request.only ?? [];
    // --exact matches the whole test path in every test binary; the same path in two binaries
    // (tests/a.rs and tests/b.rs both with `test_eq`) is told apart by the target: --test a,
    // --doc. A unit test's binary (lib or a bin) is not in the output, so with one all run.
    const targets = only.length && only.every((test) => targetOf(test) !== undefined) ? [...new Set(only.map((test) => targetOf(test)!.join('\0')))].flatMap((target) => target.split('\0')) : [];
    const exact = only.length ? ['--', '--exact', ...new Set(only.map((test) => test.id ?? test.name))] : [];
    return { file: 'cargo', args: ['test', '--no-fail-fast', '--color', 'never', ...targets, ...filter, ...exact], cwd: request.dir, env: { CARGO_TERM_COLOR: 'never' } };
  },
  parse: (report, output) => ({ ...parseCargoTest(output), source: 'text' }),
  progress(line) {
    return /^test \S+ \.\.\. (ok|FAILED|ignored)/.test(line) ? { finished: 1 } : undefined;
  },
};

/** The cargo target selector of a failed test: `--test name` for tests/name.rs, `--doc` for a doc test. */
function targetOf(test: { name: string; file?: string }): string[] | undefined {
  if (/ - .*\(line \d+\)$/.test(test.name)) return ['--doc'];
  const integration = test.file ? /(?:^|\/)tests\/([^/]+)\.rs$/.exec(test.file) : null;
  return integration ? ['--test', integration[1]!] : undefined;
}

/** Import paths as ./ folders of the module in the tested folder; undefined when one is not in it. */
async function packageFolders(request: RunRequest, importPaths: Array<string | undefined>): Promise<string[] | undefined> {
  const goMod = await readFile(join(request.dir, 'go.mod'), 'utf8').catch(() => '');
  const module = /^module\s+(\S+)/m.exec(goMod)?.[1];
  if (!module) return undefined;
  const folders = new Set<string>();
  for (const path of importPaths) {
    if (path === module) folders.add('.');
    else if (path?.startsWith(`${module}/`)) folders.add(`./${path.slice(module.length + 1)}`);
    else return undefined;
  }
  return [...folders];
}
