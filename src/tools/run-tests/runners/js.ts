import { join, relative } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { parseJestJson } from '../parse/jest-json.js';
import { parseJunit } from '../parse/junit.js';
import { parseMochaJson } from '../parse/mocha-json.js';
import { exactNamesPattern, localBin, pathArg, type RunRequest, type Runner, type RunnerOutcome } from './runner.js';
import { mochaProgress, writeMochaReporter } from './mocha-reporter.js';
import { fromReport } from './outcome.js';
import { type ArgTable, JEST_ARGS, MOCHA_ARGS, NODE_ARGS, splitProjectArgs, VITEST_ARGS } from './project-args.js';

/** Colours and interactive modes off: the output is parsed and shown to a model, not a terminal. */
const PLAIN_ENV = { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };

async function requireBin(request: RunRequest, name: string): Promise<string> {
  const bin = await localBin(request, name);
  if (!bin)
    throw new UserError(`${name} is not installed for ${request.dir}`, `Install the project's dependencies (${request.packageManager} install) and run again`);
  return bin;
}

/**
 * The files (as `./` paths) and the name pattern to pass: the request's, or for onlyFailed
 * exactly the failed tests: their files, and their full names (suites and title, as the runner
 * matches them) anchored at both ends. Each runner glues the pattern to its option
 * (`--opt=pattern`): as a separate element, a pattern starting with `-` would be parsed as an
 * option of its own (`-t --config=…` loads that config under jest).
 */
function selection(request: RunRequest): { files: string[]; pattern?: string } {
  if (!request.only?.length) return { files: request.files.map(pathArg), ...(request.testNamePattern ? { pattern: request.testNamePattern } : {}) };
  // The reports name files from the root; the runner runs in the package's folder.
  const files = [...new Set(request.only.flatMap((test) => (test.file ? [pathArg(relative(request.dir, join(request.root, test.file)))] : [])))];
  const names = [...new Set(request.only.map((test) => test.id ?? test.name.split(' > ').join(' ')))];
  return { files, pattern: exactNamesPattern(names) };
}

/**
 * The project's own arguments for this runner, and Baton's selection on top: Baton's files
 * replace the project's (else the project's files and folders stay), Baton's pattern replaces
 * the project's name filter, and the project's reporter gives way to Baton's.
 */
function withProject(request: RunRequest, table: ArgTable): { options: string[]; files: string[]; pattern?: string; replaced: string[] } {
  const { files, pattern } = selection(request);
  const split = splitProjectArgs(request.project?.args ?? [], table, { files: files.length > 0, pattern: pattern !== undefined });
  return { options: split.options, files: files.length ? files : split.positionals, ...(pattern !== undefined ? { pattern } : {}), replaced: split.replaced };
}

const envOf = (request: RunRequest): Record<string, string> => ({ ...request.project?.env, ...PLAIN_ENV });

/** `--` before the files, for runners that honour it (jest, node); nothing when there are none. */
const afterOptions = (files: string[]): string[] => (files.length ? ['--', ...files] : []);

/** vitest's commands that run tests once (watch and dev become run: a call has to end). */
const VITEST_RUN = new Set(['run', 'watch', 'dev', 'related']);

export const vitest: Runner = {
  id: 'vitest',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'vitest.json');
    const given = request.project?.args ?? [];
    const first = given[0];
    if (first !== undefined && !first.startsWith('-') && /^[a-z]+$/.test(first) && !VITEST_RUN.has(first) && !/[./]/.test(first)) {
      throw new UserError(`the test script runs "vitest ${first}", which does not run the test suite`, 'Pass runner "npm-script" to run the script as it is');
    }
    const command = first === 'related' ? ['related'] : ['run'];
    const rest = first !== undefined && VITEST_RUN.has(first) ? given.slice(1) : given;
    const { options, files, pattern, replaced } = withProject(
      { ...request, ...(request.project ? { project: { ...request.project, args: rest } } : {}) },
      VITEST_ARGS,
    );
    return {
      file: await requireBin(request, 'vitest'),
      // No "--" before the files: vitest (cac) would drop them and run everything.
      args: [
        ...command,
        ...options,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${reportFile}`,
        ...(pattern ? [`--testNamePattern=${pattern}`] : []),
        ...files,
      ],
      cwd: request.dir,
      env: envOf(request),
      reportFile,
      ...(replaced.length ? { replaced } : {}),
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'json', (text) => parseJestJson(text, request.root)),
  progress(line) {
    const done = /^\s*[✓❯×✗]\s+(\S+)\s+\((\d+) tests?/.exec(line);
    return done ? { finished: Number(done[2]), file: done[1]! } : undefined;
  },
};

export const jest: Runner = {
  id: 'jest',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'jest.json');
    const { options, files, pattern, replaced } = withProject(request, JEST_ARGS);
    return {
      file: await requireBin(request, 'jest'),
      args: [
        ...options,
        '--ci',
        '--json',
        `--outputFile=${reportFile}`,
        // No --testLocationInResults: a failure's line comes from its stack, and jest takes a
        // stack for every test to find the others' (bench/run-tests.mjs measures what it costs).
        ...(pattern ? [`--testNamePattern=${pattern}`] : []),
        ...afterOptions(files),
      ],
      cwd: request.dir,
      env: envOf(request),
      reportFile,
      ...(replaced.length ? { replaced } : {}),
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'json', (text) => parseJestJson(text, request.root)),
  progress(line) {
    const file = /^\s*(PASS|FAIL)\s+(\S+)/.exec(line);
    return file ? { file: file[2]! } : undefined;
  },
};

export const mocha: Runner = {
  id: 'mocha',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'mocha.json');
    const { options, files, pattern, replaced } = withProject(request, MOCHA_ARGS);
    return {
      file: await requireBin(request, 'mocha'),
      // No "--": mocha re-parses its positional arguments, so only the ./ form keeps files paths.
      // The reporter is mocha's JSON reporter with a line per test beside it (mocha-reporter.ts).
      args: [
        ...options,
        '--reporter',
        await writeMochaReporter(request.reportDir),
        // The plural spelling: every mocha since 3 takes it (6 and later as an alias).
        '--reporter-options',
        `output=${reportFile}`,
        ...(pattern ? [`--grep=${pattern}`] : []),
        ...files,
      ],
      cwd: request.dir,
      env: envOf(request),
      reportFile,
      ...(replaced.length ? { replaced } : {}),
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'json', (text) => parseMochaJson(text, request.root, request.dir)),
  progress: mochaProgress,
};

export const node: Runner = {
  id: 'node',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'node-test.xml');
    const { options, files, pattern, replaced } = withProject(request, NODE_ARGS);
    return {
      file: process.execPath,
      args: [
        ...options,
        '--test',
        '--test-reporter=junit',
        `--test-reporter-destination=${reportFile}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        ...(pattern ? [`--test-name-pattern=${pattern}`] : []),
        ...afterOptions(files),
      ],
      cwd: request.dir,
      env: envOf(request),
      reportFile,
      ...(replaced.length ? { replaced } : {}),
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'junit', (text) => parseJunit(text, { root: request.root })),
  progress(line) {
    return /^\s*[✔✖﹣]\s/.test(line) ? { finished: 1 } : undefined;
  },
};

/**
 * The package manager appends the files to the script's command line, which a shell runs:
 * npm quotes them, but not every package manager is known to, and an unquoted `a -r x.js` or
 * `a;cmd` would become options or commands. Plain path characters only.
 */
function shellSafe(file: string): string {
  if (!/^[\p{L}\p{N}_@%+=:,./-]+$/u.test(file)) {
    throw new UserError(
      `file "${file}" has characters a shell would interpret, and npm-script passes files through the script's shell`,
      'Rename the file, or pass runner with the test runner itself',
    );
  }
  return file;
}

export const npmScript: Runner = {
  id: 'npm-script',
  async invocation(request) {
    const files = request.files.map(shellSafe).map(pathArg);
    return { file: request.packageManager, args: ['run', 'test', ...(files.length ? ['--', ...files] : [])], cwd: request.dir, env: PLAIN_ENV };
  },
  parse: (report, output): RunnerOutcome => fromReport(undefined, output, 'text', () => undefined),
  progress(line) {
    return vitest.progress(line) ?? jest.progress(line) ?? node.progress(line);
  },
};
