/**
 * The fallback when there is no machine-readable report (an npm script running a runner we did
 * not configure, or a runner that died before writing its report): the closing summary lines
 * runners print, and the failing tests' names where the text states them plainly.
 */
import type { ParsedReport, TestCase } from '../types.js';
import { parseCargoTest } from './cargo-text.js';
import {
  MAX_EXCERPT_LINES,
  compact,
  cutLines,
  dedent,
  failureFrame,
  headline,
  jsErrorExcerpt,
  projectPath,
  splitLines,
  stripAnsi,
  tidyLines,
} from './excerpt.js';

type Summary = ParsedReport['summary'];
type Recognizer = (lines: string[], output: string) => ParsedReport | undefined;

export function parseTextSummary(output: string): ParsedReport | undefined {
  const lines = splitLines(stripAnsi(output));
  // Most specific first: vitest's and pytest's summaries would also satisfy the generic pattern.
  const recognizers: Recognizer[] = [vitestText, jestText, pytestText, cargoText, goText, nodeText, mochaText, genericText];
  for (const recognize of recognizers) {
    const report = recognize(lines, output);
    if (report) return report;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Counting "2 failed", "3 passed", "1 skipped" …

function emptySummary(): Summary {
  return { total: 0, passed: 0, failed: 0, skipped: 0 };
}

/** Adds `N word` phrases to a summary; returns whether any pass/fail count was among them. */
function addCounts(summary: Summary, text: string): boolean {
  let found = false;
  for (const match of text.matchAll(/(\d+) (expected fail|[a-z]+)/gi)) {
    const count = Number(match[1]);
    const word = match[2]!.toLowerCase();
    if (/^(passed|passing|xpassed)$/.test(word)) summary.passed += count;
    else if (/^(failed|failing|failures?|errors?)$/.test(word)) summary.failed += count;
    else if (/^(skipped|pending|todo|ignored|xfailed|expected fail)$/.test(word)) summary.skipped += count;
    else continue;
    found ||= /pass|fail|error/.test(word);
  }
  return found;
}

function withTotal(summary: Summary, total?: number): Summary {
  return { ...summary, total: total ?? summary.passed + summary.failed + summary.skipped };
}

function report(summary: Summary, cases: TestCase[] = [], errors: string[] = []): ParsedReport {
  return { cases: cases.map(compact), summary, errors };
}

function failedCase(name: string, fields: Partial<TestCase> = {}): TestCase {
  return { name, status: 'failed', id: name, ...fields };
}

/** Excerpts are cut to 20 lines anyway; a bound keeps a huge log with many failures linear. */
const MAX_BLOCK_LINES = 200;

/** The lines after `start` up to (not including) the first one `isEnd` accepts. */
function linesUntil(lines: string[], start: number, isEnd: (line: string) => boolean): string[] {
  const block: string[] = [];
  for (let index = start; index < lines.length && block.length < MAX_BLOCK_LINES && !isEnd(lines[index]!); index++) {
    block.push(lines[index]!);
  }
  return block;
}

/** Message, excerpt and line of a JS-style error block printed under a failing test's name. */
function jsDetails(block: string[], file?: string): Partial<TestCase> {
  const text = tidyLines(dedent(block)).join('\n');
  if (text === '') return {};
  const details: Partial<TestCase> = { message: headline(text), excerpt: jsErrorExcerpt(text) };
  const frame = failureFrame(text, undefined, file);
  if (frame === undefined) return details;
  // Without a file from the runner's own lines, the first project frame is the best guess.
  const frameFile = projectPath(frame.location);
  if (file === undefined) return { ...details, file: frameFile, line: frame.line };
  return sameFile(frameFile, file) ? { ...details, line: frame.line } : details;
}

/** Text output mixes absolute frame paths with cwd-relative file names. */
function sameFile(framePath: string, file: string): boolean {
  return framePath === file || framePath.endsWith(`/${file}`);
}

// ---------------------------------------------------------------------------------------------
// vitest: ` Tests  2 failed | 3 passed (5)` and ` FAIL  test/x.test.ts > suite > name`

const VITEST_TESTS = /^\s*Tests\s+(.+?)\s+\((\d+)\)\s*$/;
const VITEST_FAIL = /^\s*FAIL\s+(?:\|[^|]+\|\s+)?(\S+) > (.+)$/;
const VITEST_FILE_FAIL = /^\s*FAIL\s+(?:\|[^|]+\|\s+)?(\S+)\s+\[ \S+ \]$/;
const VITEST_SEPARATOR = /^\s*⎯{3,}/;

/**
 * Sums every `<counts> (<total>)`-style line a runner printed (one per project or run):
 * the counts go into a summary, the totals are added up. undefined when there is none.
 */
function sumCountLines(lines: readonly string[], pattern: RegExp): { summary: ReturnType<typeof emptySummary>; total: number } | undefined {
  const summary = emptySummary();
  let total = 0;
  let found = false;
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match && addCounts(summary, match[1]!)) {
      found = true;
      total += Number(match[2]);
    }
  }
  return found ? { summary, total } : undefined;
}

function vitestText(lines: string[]): ParsedReport | undefined {
  const counted = sumCountLines(lines, VITEST_TESTS);
  if (!counted) return undefined;
  const { summary, total } = counted;
  const cases: TestCase[] = [];
  const errors: string[] = [];
  const isBlockEnd = (next: string) => VITEST_SEPARATOR.test(next) || /^\s*FAIL\s/.test(next);
  lines.forEach((line, index) => {
    const fileFailure = VITEST_FILE_FAIL.exec(line);
    if (fileFailure) {
      const details = jsDetails(linesUntil(lines, index + 1, isBlockEnd));
      errors.push(`${fileFailure[1]}: ${details.excerpt ?? 'failed to run'}`);
      return;
    }
    const failure = VITEST_FAIL.exec(line);
    if (!failure) return;
    const [, file, name] = failure as unknown as [string, string, string];
    const details = jsDetails(linesUntil(lines, index + 1, isBlockEnd), file);
    cases.push(failedCase(name, { file, id: name.split(' > ').join(' '), ...details }));
  });
  return report(withTotal(summary, total), cases, errors);
}

// ---------------------------------------------------------------------------------------------
// jest: `Tests:       1 failed, 2 passed, 3 total` and `  ● suite › name` under `FAIL file`

const JEST_TESTS = /^Tests:\s+(.+?),?\s+(\d+) total$/;
const JEST_FILE = /^\s*(FAIL|PASS)\s+(\S+)/;
const JEST_BULLET = /^\s{2}● (.+)$/;

function jestText(lines: string[]): ParsedReport | undefined {
  const counted = sumCountLines(lines, JEST_TESTS);
  if (!counted) return undefined;
  const { summary, total } = counted;
  const cases: TestCase[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  let file: string | undefined;
  const isBlockEnd = (next: string) => JEST_BULLET.test(next) || JEST_FILE.test(next) || /^(Test Suites|Tests):/.test(next);
  lines.forEach((line, index) => {
    const fileLine = JEST_FILE.exec(line);
    if (fileLine) file = fileLine[2];
    const bullet = JEST_BULLET.exec(line);
    if (!bullet || file === undefined) return;
    const block = linesUntil(lines, index + 1, isBlockEnd);
    const name = bullet[1]!.split(' › ').join(' > ');
    // jest repeats every failure in its closing "Summary of all failing tests".
    const key = `${file}\u0000${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (name === 'Test suite failed to run') {
      errors.push(`${file}: ${jsDetails(block).excerpt ?? 'failed to run'}`);
      return;
    }
    cases.push(failedCase(name, { file, id: name.split(' > ').join(' '), ...jsDetails(block, file) }));
  });
  return report(withTotal(summary, total), cases, errors);
}

// ---------------------------------------------------------------------------------------------
// pytest: `=== 1 failed, 2 passed, 1 skipped in 0.12s ===` and `FAILED tests/x.py::test_y - msg`

const PYTEST_SUMMARY = /^(?:=+ )?((?:\d+ [a-z]+(?:, )?)+|no tests ran) in [\d.]+s(?: \([^)]*\))?(?: =+)?$/;
const PYTEST_SHORT = /^(FAILED|ERROR) (.+?)(?: - (.*))?$/;

function pytestText(lines: string[]): ParsedReport | undefined {
  const summaryLine = lines.findLast((line) => PYTEST_SUMMARY.test(line));
  if (summaryLine === undefined) return undefined;
  const summary = emptySummary();
  addCounts(summary, PYTEST_SUMMARY.exec(summaryLine)![1]!);
  const cases: TestCase[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    const match = PYTEST_SHORT.exec(line);
    if (!match) continue;
    const nodeId = match[2]!;
    const message = match[3];
    if (!nodeId.includes('::')) {
      // `ERROR tests/test_bad.py`: the module failed to import.
      errors.push(message ? `${nodeId}: ${message}` : `${nodeId}: collection failed`);
      continue;
    }
    cases.push(failedCase(nodeId, { file: nodeId.split('::')[0], message }));
  }
  return report(withTotal(summary), cases, errors);
}

// ---------------------------------------------------------------------------------------------
// cargo: `test result:` lines — the cargo parser already reads text

function cargoText(lines: string[], output: string): ParsedReport | undefined {
  if (!lines.some((line) => /^test result: (?:ok|FAILED)\./.test(line))) return undefined;
  return parseCargoTest(output);
}

// ---------------------------------------------------------------------------------------------
// go: `ok  pkg 0.01s`, `FAIL pkg 0.01s`, `--- FAIL: TestX (0.00s)`

const GO_PACKAGE = /^(ok|FAIL)\s+(\S+)\s+(?:\(cached\)|[\d.]+s|\[(build|setup) failed\])/;
const GO_VERDICT = /^(\s*)--- (FAIL|PASS|SKIP): (\S+) \(/;

function goText(lines: string[]): ParsedReport | undefined {
  const verdicts = lines.flatMap((line, index) => {
    const match = GO_VERDICT.exec(line);
    return match ? [{ indent: match[1]!.length, verdict: match[2]!, name: match[3]!, index }] : [];
  });
  const buildFailures = lines.flatMap((line) => {
    const match = GO_PACKAGE.exec(line);
    return match?.[3] !== undefined ? [match[2]!] : [];
  });
  if (verdicts.length === 0 && !lines.some((line) => GO_PACKAGE.test(line))) return undefined;
  // A parent test fails because its subtests did: count the subtests only.
  const failedParents = new Set(verdicts.filter((entry) => entry.verdict === 'FAIL').flatMap((entry) => parentNames(entry.name)));
  const counted = verdicts.filter((entry) => !(entry.verdict === 'FAIL' && failedParents.has(entry.name)));
  const summary = emptySummary();
  for (const entry of counted) {
    if (entry.verdict === 'PASS') summary.passed++;
    else if (entry.verdict === 'FAIL') summary.failed++;
    else summary.skipped++;
  }
  const cases = counted.filter((entry) => entry.verdict === 'FAIL').map((entry) => failedCase(entry.name, goDetails(lines, entry.index, entry.indent)));
  const compileLines = lines.filter((line) => /^\S+\.go:\d+:\d+: /.test(line));
  const errors = buildFailures.map((pkg) => cutLines([`${pkg}: build failed`, ...compileLines].join('\n')));
  return report(withTotal(summary), cases, errors);
}

/** `TestA/b/c` → `TestA`, `TestA/b`. */
function parentNames(name: string): string[] {
  const segments = name.split('/');
  return segments.slice(1).map((_, depth) => segments.slice(0, depth + 1).join('/'));
}

/** The indented lines under `--- FAIL: TestX`: t.Errorf output with `x_test.go:12:` positions. */
function goDetails(lines: string[], index: number, indent: number): Partial<TestCase> {
  const block = linesUntil(lines, index + 1, (line) => line.trim() !== '' && line.length - line.trimStart().length <= indent);
  const text = tidyLines(dedent(block.filter((line) => !GO_VERDICT.test(line)))).join('\n');
  const position = /(?:^|\s)[\w.-]+_test\.go:(\d+)/.exec(text);
  return { message: headline(text), excerpt: text === '' ? undefined : cutLines(text), line: position ? Number(position[1]) : undefined };
}

// ---------------------------------------------------------------------------------------------
// node:test: `# pass 1` (TAP) or `ℹ pass 1` (spec); failures from spec's "failing tests" list

const NODE_COUNT = /^[#ℹ] (tests|pass|fail|cancelled|skipped|todo) (\d+)$/;
const NODE_TEST_AT = /^test at (\S+):(\d+):\d+$/;
const NODE_FAILED = /^\s*✖ (.+?) \([\d.]+m?s\)(?: #.*)?$/;
const TAP_NOT_OK = /^(\s*)not ok \d+ - (.+?)(?: # .*)?$/;

function nodeText(lines: string[]): ParsedReport | undefined {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const match = NODE_COUNT.exec(line);
    if (match) counts.set(match[1]!, Number(match[2]));
  }
  if (!counts.has('tests') || !counts.has('pass')) return undefined;
  const count = (key: string) => counts.get(key) ?? 0;
  const summary: Summary = {
    total: count('tests'),
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
  return report(summary, nodeSpecFailures(lines) ?? tapFailures(lines));
}

/** node's spec reporter ends with `✖ failing tests:` listing `test at file:line:col` + `✖ name`. */
function nodeSpecFailures(lines: string[]): TestCase[] | undefined {
  const start = lines.findIndex((line) => /^✖ failing tests:$/.test(line));
  if (start < 0) return undefined;
  const cases: TestCase[] = [];
  for (let index = start + 1; index < lines.length - 1; index++) {
    const at = NODE_TEST_AT.exec(lines[index]!);
    const failed = at ? NODE_FAILED.exec(lines[index + 1]!) : null;
    if (!at || !failed) continue;
    const block = linesUntil(lines, index + 2, (line) => NODE_TEST_AT.test(line));
    // `test at` is the test's declaration; a frame in the same file is the failing line.
    const details = jsDetails(block, at[1]);
    cases.push(failedCase(failed[1]!, { line: Number(at[2]), ...details, file: at[1] }));
  }
  return cases;
}

/** TAP `not ok N - name` lines, except suites that failed only because a test inside did. */
function tapFailures(lines: string[]): TestCase[] {
  const cases: TestCase[] = [];
  lines.forEach((line, index) => {
    const match = TAP_NOT_OK.exec(line);
    if (!match) return;
    const indent = match[1]!;
    const yaml = linesUntil(lines, index + 1, (next) => next.startsWith(`${indent}...`) || TAP_NOT_OK.test(next));
    if (yaml.some((entry) => entry.includes("failureType: 'subtestsFailed'"))) return;
    const errorIndex = yaml.findIndex((entry) => /^\s*error: /.test(entry));
    const inline = errorIndex >= 0 ? /^\s*error: (?:\|-)?\s*'?(.*?)'?$/.exec(yaml[errorIndex]!)?.[1] : undefined;
    const message = inline !== undefined && inline !== '' ? inline : yaml[errorIndex + 1]?.trim();
    cases.push(failedCase(match[2]!, { message: errorIndex >= 0 ? headline(message) : undefined }));
  });
  return cases;
}

// ---------------------------------------------------------------------------------------------
// mocha: `  3 passing (12ms)`, `  1 failing`, `  2 pending`, then `  1) suite\n       test:`

function mochaText(lines: string[]): ParsedReport | undefined {
  const summary = emptySummary();
  let failingLine = -1;
  lines.forEach((line, index) => {
    const passing = /^\s+(\d+) passing \(/.exec(line);
    const failing = /^\s+(\d+) failing$/.exec(line);
    const pending = /^\s+(\d+) pending$/.exec(line);
    if (passing) summary.passed += Number(passing[1]);
    if (failing) {
      summary.failed += Number(failing[1]);
      failingLine = index;
    }
    if (pending) summary.skipped += Number(pending[1]);
  });
  if (summary.passed + summary.failed === 0 && !lines.some((line) => /^\s+0 passing \(/.test(line))) return undefined;
  const cases = failingLine >= 0 ? mochaFailures(lines, failingLine + 1) : [];
  return report(withTotal(summary), cases);
}

const MOCHA_NUMBERED = /^\s+(\d+)\) (.+)$/;

/** `  2) math\n       adds wrong:` — title lines run until the one ending with a colon. */
function mochaFailures(lines: string[], start: number): TestCase[] {
  const cases: TestCase[] = [];
  for (let index = start; index < lines.length; index++) {
    const numbered = MOCHA_NUMBERED.exec(lines[index]!);
    if (!numbered) continue;
    const titles = [numbered[2]!.trim()];
    while (!titles[titles.length - 1]!.endsWith(':') && index + 1 < lines.length && titles.length < MAX_EXCERPT_LINES) {
      index++;
      titles.push(lines[index]!.trim());
    }
    titles[titles.length - 1] = titles[titles.length - 1]!.replace(/:$/, '');
    const block = linesUntil(lines, index + 1, (line) => MOCHA_NUMBERED.test(line));
    const name = titles.join(' > ');
    cases.push(failedCase(name, { id: titles.join(' '), ...jsDetails(block) }));
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Anything else: the last line saying `N passed` / `N failed`

function genericText(lines: string[]): ParsedReport | undefined {
  const line = lines.findLast((candidate) => /\b\d+ (passed|failed|passing|failing)\b/i.test(candidate));
  if (line === undefined) return undefined;
  const summary = emptySummary();
  if (!addCounts(summary, line)) return undefined;
  const total = /\b(\d+) total\b/i.exec(line);
  return report(withTotal(summary, total ? Number(total[1]) : undefined));
}
