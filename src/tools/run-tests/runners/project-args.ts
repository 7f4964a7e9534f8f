/**
 * The arguments a project's test script gives its runner, kept as they are except for what
 * Baton must set itself: its reporter and report file (replaced, and said so), watch modes (a
 * run must end), and — only when Baton selects tests itself (files, a name pattern, onlyFailed)
 * — the project's own test selection, which would otherwise widen or narrow Baton's.
 */

export interface ArgTable {
  /** Options that take the next word as their value unless glued with `=`. */
  valued: readonly string[];
  /** Options that take every following word up to the next option (yargs arrays). */
  arrays?: readonly string[];
  /** Baton's own: the project's are removed, and the result says they were replaced. */
  reporter: readonly string[];
  /** Removed without a word: a run that never ends or asks questions. */
  watch: readonly string[];
  /** The project's name filter: removed when Baton passes its own. */
  nameFilter: readonly string[];
  /** Options that select files like positionals do: removed when Baton passes files. */
  fileFilter?: readonly string[];
}

export interface SplitArgs {
  /** Options kept, in order, each with its value(s). */
  options: string[];
  /** Files, folders and path patterns the project passed. */
  positionals: string[];
  /** What was taken out because Baton sets it itself (`--reporter spec`). */
  replaced: string[];
}

/** `--name=value` or `--name.sub=value` → `--name`; a short or plain option stays as it is. */
function optionName(word: string): string {
  const eq = word.indexOf('=');
  const name = eq >= 0 ? word.slice(0, eq) : word;
  return name.startsWith('--') && name.includes('.') ? name.slice(0, name.indexOf('.')) : name;
}

export function splitProjectArgs(args: readonly string[], table: ArgTable, selecting: { files: boolean; pattern: boolean }): SplitArgs {
  const out: SplitArgs = { options: [], positionals: [], replaced: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      out.positionals.push(word);
      continue;
    }
    const name = optionName(word);
    const glued = word.includes('=');
    const group = [word];
    if (table.arrays?.includes(name) && !glued) {
      while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) group.push(args[++i]!);
    } else if (table.valued.includes(name) && !glued && i + 1 < args.length) {
      group.push(args[++i]!);
    }
    if (table.reporter.includes(name)) out.replaced.push(group.join(' '));
    else if (table.watch.includes(name)) continue;
    else if (selecting.pattern && table.nameFilter.includes(name)) continue;
    else if (selecting.files && table.fileFilter?.includes(name)) continue;
    else out.options.push(...group);
  }
  return out;
}

export const MOCHA_ARGS: ArgTable = {
  valued: [
    '-r',
    '--require',
    '-R',
    '--reporter',
    '-O',
    '--reporter-option',
    '--reporter-options',
    '-u',
    '--ui',
    '-t',
    '--timeout',
    '--timeouts',
    '-s',
    '--slow',
    '-g',
    '--grep',
    '-f',
    '--fgrep',
    '--config',
    '--package',
    '--file',
    '--extension',
    '--ignore',
    '--exclude',
    '--spec',
    '--retries',
    '-j',
    '--jobs',
    '-n',
    '--node-option',
    '--watch-files',
    '--watch-ignore',
    '--opts',
  ],
  reporter: ['-R', '--reporter', '-O', '--reporter-option', '--reporter-options'],
  watch: ['-w', '--watch'],
  nameFilter: ['-g', '--grep', '-f', '--fgrep', '-i', '--invert'],
  fileFilter: ['--spec'],
};

export const JEST_ARGS: ArgTable = {
  valued: [
    '-c',
    '--config',
    '-t',
    '--testNamePattern',
    '--testPathPattern',
    '--testPathPatterns',
    '-w',
    '--maxWorkers',
    '--outputFile',
    '--rootDir',
    '--testEnvironment',
    '--env',
    '--testTimeout',
    '--shard',
    '--seed',
    '--coverageDirectory',
    '--cacheDirectory',
    '--globalSetup',
    '--globalTeardown',
    '--testRunner',
    '--testSequencer',
    '--resolver',
    '--filter',
    '--changedSince',
    '--testResultsProcessor',
    '--preset',
    '--coverageProvider',
    '--maxConcurrency',
    '--notifyMode',
    '--testFailureExitCode',
    '--workerIdleMemoryLimit',
    '--logHeapUsage',
  ],
  arrays: [
    '--selectProjects',
    '--ignoreProjects',
    '--testPathIgnorePatterns',
    '--reporters',
    '--coverageReporters',
    '--testMatch',
    '--roots',
    '--projects',
    '--setupFiles',
    '--setupFilesAfterEnv',
    '--collectCoverageFrom',
    '--coveragePathIgnorePatterns',
    '--moduleDirectories',
    '--moduleFileExtensions',
    '--modulePathIgnorePatterns',
    '--testRegex',
    '--transformIgnorePatterns',
    '--watchPathIgnorePatterns',
  ],
  reporter: ['--json', '--outputFile'],
  watch: ['--watch', '--watchAll'],
  nameFilter: ['-t', '--testNamePattern'],
  fileFilter: ['--testPathPattern', '--testPathPatterns'],
};

export const VITEST_ARGS: ArgTable = {
  valued: [
    '-c',
    '--config',
    '-r',
    '--root',
    '--dir',
    '--project',
    '-t',
    '--testNamePattern',
    '--environment',
    '--pool',
    '--shard',
    '--mode',
    '--reporter',
    '--outputFile',
    '--exclude',
    '--maxWorkers',
    '--minWorkers',
    '--testTimeout',
    '--hookTimeout',
    '--retry',
    '--bail',
    '--changed',
    '--sequence',
    '--segfaultRetry',
    '--inspect',
    '--inspectBrk',
    '--api',
    '--browser',
    '--workspace',
    '--globalSetup',
  ],
  reporter: ['--reporter', '--outputFile'],
  watch: ['-w', '--watch', '--run', '--ui', '--open'],
  nameFilter: ['-t', '--testNamePattern'],
};

export const NODE_ARGS: ArgTable = {
  valued: [
    '-r',
    '--require',
    '--import',
    '--loader',
    '--experimental-loader',
    '--test-reporter',
    '--test-reporter-destination',
    '--test-name-pattern',
    '--test-skip-pattern',
    '--test-concurrency',
    '--test-timeout',
    '--env-file',
    '-C',
    '--conditions',
    '--test-shard',
    '--input-type',
    '--test-coverage-include',
    '--test-coverage-exclude',
    '--watch-path',
    '--test-isolation',
  ],
  reporter: ['--test-reporter', '--test-reporter-destination'],
  watch: ['--watch', '--test'],
  nameFilter: ['--test-name-pattern', '--test-skip-pattern'],
};
