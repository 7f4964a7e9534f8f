import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../../../core/errors.js';
import type { RunnerId } from '../../../core/project.js';
import type { ParsedReport, TestCase } from '../types.js';

/** What a run was asked for, resolved: absolute folders, the files and filters to pass on. */
export interface RunRequest {
  root: string;
  /** Absolute folder of the package the tests belong to. */
  dir: string;
  /** Test files, relative to `dir`; existing and inside it (run.ts checks). Pass them through `pathArg`. */
  files: string[];
  testNamePattern?: string;
  /** Re-run exactly these (onlyFailed). */
  only?: TestCase[];
  /** A fresh folder for report files, outside the repository. */
  reportDir: string;
  packageManager: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /**
   * The runner's invocation in the project's own test script: its arguments (after the runner's
   * name; for node after `node`) and the variables the script sets. Kept, except what Baton sets.
   */
  project?: { args: string[]; env: Record<string, string> };
}

export interface Invocation {
  file: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Where the machine-readable report will be, if the runner writes one. */
  reportFile?: string;
  /**
   * The report is the runner's output itself (go test -json), read whole from the run's log,
   * not cut to head and tail; what the runner printed on stderr is mixed in, in order.
   */
  reportInOutput?: boolean;
  /** The project's arguments Baton replaced with its own (its reporter), said in the result. */
  replaced?: string[];
}

export type ReportSource = 'junit' | 'json' | 'text';

export interface RunnerOutcome extends ParsedReport {
  source: ReportSource;
  /** Why the machine-readable report was not used, when it was not. */
  note?: string;
}

export interface Runner {
  id: RunnerId;
  invocation(request: RunRequest): Promise<Invocation>;
  /** Turns the report (undefined when the runner wrote none) and the output into results. */
  parse(report: string | undefined, output: string, request: RunRequest): RunnerOutcome;
  /** Reads one line of live output: a test that finished, or the file now running. */
  progress(line: string): { finished?: number; file?: string } | undefined;
}

/** The package's own bin (node_modules/.bin), looked up from its folder towards the root. */
export async function localBin(request: RunRequest, name: string): Promise<string | undefined> {
  for (let dir = request.dir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', name);
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
    if (dir === request.root || dirname(dir) === dir) return undefined;
  }
}

/** A regex matching exactly the given test names (for -t / --grep / --test-name-pattern). */
export function exactNamesPattern(names: readonly string[]): string {
  return `^(${names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

/**
 * A path as a runner argument that no runner can read as an option: `./` in front, so even an
 * existing file named `--require=x.js` or `-pplugin` stays a path. `--` alone is not enough:
 * vitest drops what follows it, mocha re-parses its positionals, and pytest loads `-p<name>`
 * plugins from anywhere in argv.
 */
export function pathArg(path: string): string {
  return path === '.' || path.startsWith('./') || path.startsWith('/') ? path : `./${path}`;
}

/**
 * For runners whose filter is a bare argv element (cargo's TESTNAME, pytest's `-k` value):
 * a value starting with `-` would be parsed as an option, and no real filter starts with one.
 */
export function refuseOptionLike(pattern: string, runner: string, example: string): string {
  if (pattern.startsWith('-')) {
    throw new UserError(
      `testNamePattern "${pattern}" cannot start with "-" for ${runner}: it would be read as an option`,
      `Start it with a test name, e.g. ${example}`,
    );
  }
  return pattern;
}
