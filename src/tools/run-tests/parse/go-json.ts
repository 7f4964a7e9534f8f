/**
 * `go test -json`: one test2json event per line
 * (`{Time, Action, Package, Test, Elapsed, Output}`; go >= 1.24 adds `build-output`/`build-fail`
 * events keyed by `ImportPath` and `FailedBuild` on the package's `fail`).
 */
import type { ParsedReport, TestCase } from '../types.js';
import { compact, countCases, cutLines, dedent, findFileLine, headline, splitLines, stripAnsi, tidyLines } from './excerpt.js';

interface GoEvent {
  Action?: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
  ImportPath?: string;
  FailedBuild?: string;
}

interface GoTest {
  pkg: string;
  name: string;
  status?: 'pass' | 'fail' | 'skip';
  elapsed?: number | undefined;
  output: string[];
}

interface GoPackage {
  status?: 'pass' | 'fail' | 'skip';
  output: string[];
  failedBuild?: string;
}

interface GoRun {
  tests: Map<string, GoTest>;
  packages: Map<string, GoPackage>;
  buildOutput: Map<string, string[]>;
  /** Lines that are not events: build errors of go < 1.24 when stderr is merged in. */
  looseLines: string[];
}

/**
 * `folderOf` maps a package's import path to its folder (root-relative), when the caller knows
 * the module: a failure's file is then the test file its message names (`uuid_test.go:705:`) in
 * that folder. Without it, a test's file is its package's import path.
 */
export function parseGoTestJson(stream: string, folderOf: (importPath: string) => string | undefined = () => undefined): ParsedReport {
  const run = readEvents(stream);
  const cases = reportedTests(run).map((test) => toCase(test, run, folderOf(test.pkg)));
  return { cases, summary: countCases(cases), errors: packageErrors(run) };
}

function readEvents(stream: string): GoRun {
  const run: GoRun = { tests: new Map(), packages: new Map(), buildOutput: new Map(), looseLines: [] };
  let events = 0;
  for (const line of stream.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const event = parseEvent(line);
    if (event === undefined) {
      run.looseLines.push(line);
      continue;
    }
    events++;
    applyEvent(run, event);
  }
  if (events === 0) throw new Error('no `go test -json` events found in the output');
  readLooseLines(run);
  return run;
}

/**
 * go before 1.24 reports a package that failed to build only as text: `FAIL\tpkg [build failed]`
 * on stdout, and the compiler's `# pkg [pkg.test]` block on stderr.
 */
function readLooseLines(run: GoRun): void {
  let block: string[] | undefined;
  for (const line of run.looseLines) {
    const header = /^# (\S+(?: \[\S+\])?)$/.exec(line);
    if (header) {
      block = [line];
      run.buildOutput.set(header[1]!, block);
      continue;
    }
    const failed = /^FAIL\s+(\S+) \[(?:build|setup) failed\]$/.exec(line);
    if (failed) {
      const target = packageOf(run, failed[1]!);
      target.status = 'fail';
      target.output.push(line);
      block = undefined;
    } else block?.push(line);
  }
}

/** One event, or undefined for a line that is not one (including a last line cut off mid-write). */
function parseEvent(line: string): GoEvent | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || typeof (value as GoEvent).Action !== 'string') return undefined;
    return value as GoEvent;
  } catch {
    return undefined;
  }
}

function applyEvent(run: GoRun, event: GoEvent): void {
  const action = event.Action;
  if (action === 'build-output' || action === 'build-fail') {
    const importPath = event.ImportPath ?? '';
    const lines = run.buildOutput.get(importPath) ?? [];
    if (event.Output !== undefined) lines.push(event.Output.replace(/\n$/, ''));
    run.buildOutput.set(importPath, lines);
    return;
  }
  const pkg = event.Package ?? '';
  if (event.Test === undefined) {
    applyPackageEvent(packageOf(run, pkg), event);
    return;
  }
  const key = `${pkg}\u0000${event.Test}`;
  const test = run.tests.get(key) ?? { pkg, name: event.Test, output: [] };
  run.tests.set(key, test);
  if (action === 'output' && event.Output !== undefined) test.output.push(event.Output.replace(/\n$/, ''));
  if (action === 'pass' || action === 'fail' || action === 'skip') {
    test.status = action;
    test.elapsed = event.Elapsed;
  }
}

function packageOf(run: GoRun, pkg: string): GoPackage {
  const existing = run.packages.get(pkg);
  if (existing) return existing;
  const created: GoPackage = { output: [] };
  run.packages.set(pkg, created);
  return created;
}

function applyPackageEvent(target: GoPackage, event: GoEvent): void {
  if (event.Action === 'output' && event.Output !== undefined) target.output.push(event.Output.replace(/\n$/, ''));
  if (event.Action === 'pass' || event.Action === 'fail' || event.Action === 'skip') target.status = event.Action;
  if (event.FailedBuild !== undefined) target.failedBuild = event.FailedBuild;
}

/**
 * Leaf tests are reported; a parent of subtests only when it failed on its own (no failing
 * subtest explains its failure) — otherwise one broken table case would count twice.
 */
function reportedTests(run: GoRun): GoTest[] {
  const parents = new Map<string, { failingChild: boolean }>();
  for (const test of run.tests.values()) {
    const segments = test.name.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const key = `${test.pkg}\u0000${segments.slice(0, depth).join('/')}`;
      const parent = parents.get(key) ?? { failingChild: false };
      parent.failingChild ||= test.status === 'fail';
      parents.set(key, parent);
    }
  }
  return [...run.tests.entries()]
    .filter(([key, test]) => {
      const parent = parents.get(key);
      return parent === undefined || (test.status === 'fail' && !parent.failingChild);
    })
    .map(([, test]) => test);
}

function toCase(test: GoTest, run: GoRun, folder: string | undefined): TestCase {
  const status = statusOf(test, run);
  const testCase: TestCase = {
    name: test.name,
    file: folder === undefined ? test.pkg : folder || '.',
    status,
    durationMs: test.elapsed !== undefined ? Math.round(test.elapsed * 1000) : undefined,
    id: test.name,
    // What `go test` needs next to the name to run the test again.
    package: test.pkg,
  };
  if (status === 'failed') {
    const details = failureLines(test.output);
    testCase.excerpt = cutLines(details.join('\n')) || (test.status === undefined ? 'did not finish' : undefined);
    testCase.message = headline(details.join('\n')) ?? (test.status === undefined ? 'did not finish' : undefined);
    const at = testFileLine(details);
    testCase.line = at?.line;
    if (folder !== undefined && at?.file) testCase.file = folder === '' ? at.file : `${folder}/${at.file}`;
  }
  return compact(testCase);
}

function statusOf(test: GoTest, run: GoRun): TestCase['status'] {
  if (test.status === 'pass') return 'passed';
  if (test.status === 'skip') return 'skipped';
  if (test.status === 'fail') return 'failed';
  // No verdict: the test was running when the binary died (a panic elsewhere, a timeout), or the
  // stream was cut off while the package was still going.
  return run.packages.get(test.pkg)?.status === 'fail' ? 'failed' : 'skipped';
}

// test2json framing lines and the verdict line repeat what the event already says.
const FRAMING = /^\s*(?:=== (?:RUN|PAUSE|CONT|NAME)\s|--- (?:FAIL|PASS|SKIP): )/;

function failureLines(output: string[]): string[] {
  const lines = output.flatMap((chunk) => splitLines(stripAnsi(chunk))).filter((line) => !FRAMING.test(line));
  return tidyLines(dedent(lines));
}

/** `calc_test.go:14:` in t.Errorf output, or `\tcalc_test.go:30 +0x39` in a panic trace (a file only when it is the bare test file's name). */
function testFileLine(lines: string[]): { file?: string; line: number } | undefined {
  for (const line of lines) {
    const match = /(?:^|[\s/])([\w.-]+_test\.go):(\d+)/.exec(line);
    if (match) return { file: match[1]!, line: Number(match[2]) };
  }
  const found = findFileLine(lines.join('\n'));
  return found ? { line: found.line } : undefined;
}

/** Packages that failed outside any test: build failures, TestMain exits, panics in init. */
function packageErrors(run: GoRun): string[] {
  const errors: string[] = [];
  const testCounts = new Map<string, { tests: number; failed: number }>();
  for (const test of run.tests.values()) {
    const count = testCounts.get(test.pkg) ?? { tests: 0, failed: 0 };
    count.tests++;
    if (test.status === 'fail') count.failed++;
    testCounts.set(test.pkg, count);
  }
  for (const [pkg, target] of run.packages) {
    const count = testCounts.get(pkg) ?? { tests: 0, failed: 0 };
    if (target.status !== 'fail' || count.failed > 0) continue;
    errors.push(`${pkg}: ${cutLines(packageFailureText(pkg, target, run, count.tests === 0))}`);
  }
  return errors;
}

function packageFailureText(pkg: string, target: GoPackage, run: GoRun, noTests: boolean): string {
  const build = target.failedBuild !== undefined ? run.buildOutput.get(target.failedBuild) : undefined;
  const lines = build ?? buildOutputFor(pkg, run) ?? (noTests && run.looseLines.length > 0 ? run.looseLines : target.output);
  const tidy = tidyLines(lines.map((line) => stripAnsi(line)));
  return tidy.length > 0 ? tidy.join('\n') : 'failed';
}

/** Build output of the package's test binary (`pkg [pkg.test]`) or of the package itself. */
function buildOutputFor(pkg: string, run: GoRun): string[] | undefined {
  for (const [importPath, lines] of run.buildOutput) {
    if (importPath === pkg || importPath.startsWith(`${pkg} [`)) return lines;
  }
  return undefined;
}
