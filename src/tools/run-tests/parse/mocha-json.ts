/**
 * mocha's `json` reporter: written to a file with `--reporter-option output=FILE` (mocha >= 9), or
 * to stdout, where whatever the tests print with console.log comes first.
 */
import { join } from 'node:path';
import type { ParsedReport, TestCase } from '../types.js';
import { compact, countCases, cutLines, failureFrame, headline, jsErrorExcerpt, projectPath, splitLines } from './excerpt.js';

interface MochaError {
  message?: string;
  stack?: string;
  actual?: unknown;
  expected?: unknown;
}

interface MochaTest {
  title?: string;
  fullTitle?: string;
  file?: string;
  duration?: number;
  err?: MochaError;
}

interface MochaReport {
  stats?: { tests?: number; passes?: number; failures?: number; pending?: number };
  tests?: MochaTest[];
  passes?: MochaTest[];
  failures?: MochaTest[];
  pending?: MochaTest[];
}

/** Lines of `actual`/`expected` shown when the error message itself carries no diff. */
const MAX_VALUE_LINES = 5;

/**
 * `cwd` is where mocha ran: its stacks name files relative to it (mocha drops the cwd prefix), and
 * in a monorepo's package that is not the root.
 */
export function parseMochaJson(json: string, root: string, cwd = root): ParsedReport {
  const report = findReport(json);
  // A file's tests share one path to work out.
  const paths = new Map<string, string>();
  const pathOf = (file: string): string => {
    let path = paths.get(file);
    if (path === undefined) {
      path = projectPath(file, root);
      paths.set(file, path);
    }
    return path;
  };
  const failed = new Set((report.failures ?? []).map(keyOf));
  const pending = new Set((report.pending ?? []).map(keyOf));
  const cases = (report.tests ?? []).map((test) => {
    const key = keyOf(test);
    return toCase(test, failed.has(key) ? 'failed' : pending.has(key) ? 'skipped' : 'passed', root, cwd, pathOf);
  });
  // A failing hook ("before each" hook for "x") is in `failures` but not in `tests`.
  const listed = new Set((report.tests ?? []).map(keyOf));
  for (const failure of report.failures ?? []) {
    if (!listed.has(keyOf(failure))) cases.push(toCase(failure, 'failed', root, cwd, pathOf));
  }
  return { cases, summary: summaryOf(report, cases), errors: [] };
}

/**
 * The report is the whole text, or a JSON object that starts at a line reading `{` (mocha
 * pretty-prints it, so its opening brace is alone at column 0) and runs to the end, or to a later
 * `}` line when something was printed after it. Tests may print such lines too (a pretty-printed
 * object), so every candidate is tried, first to last.
 */
function findReport(text: string): MochaReport {
  const whole = tryParse(text);
  if (isMochaReport(whole)) return whole;
  // Lazily: the slices are built only when the text is not the report by itself.
  for (const candidate of objectSlices(text)) {
    const parsed = tryParse(candidate);
    if (isMochaReport(parsed)) return parsed;
  }
  const reason = text.trim() === '' ? 'the output is empty' : 'no complete JSON object with "stats" and "tests" found';
  throw new Error(`mocha JSON report is malformed or truncated: ${reason}`);
}

/** Parsing is tried this many times at most: a log full of braces must not make this quadratic. */
const MAX_CANDIDATES = 20;

function* objectSlices(text: string): Generator<string> {
  const lines = text.split(/\r?\n/);
  const opening = lines.flatMap((line, index) => (line.trimEnd() === '{' ? [index] : [])).slice(0, MAX_CANDIDATES);
  const end = lines.findLastIndex((line) => line.trimEnd() === '}');
  for (const start of opening) {
    yield lines.slice(start).join('\n');
    if (end > start) yield lines.slice(start, end + 1).join('\n');
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isMochaReport(value: unknown): value is MochaReport {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as MochaReport;
  return typeof report.stats === 'object' && Array.isArray(report.tests);
}

function keyOf(test: MochaTest): string {
  return `${test.file ?? ''}\u0000${test.fullTitle ?? test.title ?? ''}`;
}

function toCase(test: MochaTest, status: TestCase['status'], root: string, cwd: string, pathOf: (file: string) => string): TestCase {
  const title = test.title ?? '';
  const fullTitle = test.fullTitle ?? title;
  // fullTitle is the describe titles and the title joined by spaces: the suite part is what precedes the title.
  const suites = title !== '' && fullTitle.endsWith(` ${title}`) ? fullTitle.slice(0, -title.length - 1) : '';
  const file = test.file ? pathOf(test.file) : undefined;
  const testCase: TestCase = {
    name: suites !== '' ? `${suites} > ${title}` : fullTitle,
    file,
    status,
    durationMs: typeof test.duration === 'number' ? test.duration : undefined,
    // What `--grep` matches.
    id: fullTitle,
  };
  if (status === 'failed') describeFailure(testCase, test.err ?? {}, root, cwd);
  return compact(testCase);
}

function describeFailure(testCase: TestCase, err: MochaError, root: string, cwd: string): void {
  const dump = absoluteFrames(err.stack ?? err.message ?? '', cwd);
  testCase.message = headline(err.message) ?? headline(dump);
  const excerpt = jsErrorExcerpt(dump, root);
  testCase.excerpt = cutLines([excerpt, ...valueLines(err)].filter((part) => part !== '').join('\n'));
  const frame = failureFrame(dump, root, testCase.file);
  if (frame) {
    testCase.file ??= projectPath(frame.location, root);
    if (projectPath(frame.location, root) === testCase.file) testCase.line = frame.line;
  }
}

/** Stack frames whose file mocha made relative to its cwd (`at x (lib/a.test.js:4:11)`), made absolute again. */
function absoluteFrames(stack: string, cwd: string): string {
  return stack.replace(/^(\s+at (?:.*\()?)((?![\w+.-]+:)[^\s()/][^\s()]*:\d+:\d+\)?)$/gm, (_, at: string, location: string) => `${at}${join(cwd, location)}`);
}

/** chai-style messages are one line ("expected 2 to equal 3"); the values say more for objects. */
function valueLines(err: MochaError): string[] {
  const messageLines = splitLines(err.message ?? '').filter((line) => line.trim() !== '');
  if (messageLines.length > 1 || err.actual === undefined || err.expected === undefined) return [];
  const show = (label: string, value: unknown) => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
    const lines = text.split('\n');
    if (lines.length === 1) return [`${label}: ${text}`];
    return [`${label}:`, ...lines.slice(0, MAX_VALUE_LINES).map((line) => `  ${line}`)];
  };
  return [...show('expected', err.expected), ...show('actual', err.actual)];
}

function summaryOf(report: MochaReport, cases: TestCase[]): ParsedReport['summary'] {
  const stats = report.stats ?? {};
  if (typeof stats.passes !== 'number' || typeof stats.failures !== 'number') {
    return countCases(cases);
  }
  // A failing hook counts as a failure but not as a test; mocha prints passing/failing/pending, no total.
  const skipped = stats.pending ?? 0;
  return { total: stats.passes + stats.failures + skipped, passed: stats.passes, failed: stats.failures, skipped };
}
