/**
 * The JSON report of `jest --json --outputFile=…` and of vitest's `--reporter=json --outputFile=…`
 * (vitest writes the same shape: testResults[].assertionResults[]).
 */
import type { CaseStatus, ParsedReport, TestCase } from '../types.js';
import { compact, countCases, failureFrame, headline, jsErrorExcerpt, projectPath, stripAnsi } from './excerpt.js';

interface JestAssertion {
  ancestorTitles?: string[];
  title?: string;
  fullName?: string;
  status?: string;
  duration?: number | null;
  failureMessages?: string[];
  location?: { line?: number; column?: number } | null;
}

interface JestFileResult {
  name?: string;
  status?: string;
  message?: string;
  assertionResults?: JestAssertion[];
}

interface JestReport {
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: JestFileResult[];
}

export function parseJestJson(json: string, root: string): ParsedReport {
  const report = readReport(json);
  const cases: TestCase[] = [];
  const errors: string[] = [];
  for (const fileResult of report.testResults ?? []) {
    const file = fileResult.name ? projectPath(fileResult.name, root) : undefined;
    const assertions = fileResult.assertionResults ?? [];
    for (const assertion of assertions) cases.push(toCase(assertion, file, root));
    const suiteError = suiteErrorOf(fileResult, assertions, file, root);
    if (suiteError !== undefined) errors.push(suiteError);
  }
  return { cases, summary: summaryOf(report, cases), errors };
}

function readReport(json: string): JestReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`Jest/vitest JSON report is malformed or truncated: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as JestReport).testResults)) {
    throw new Error('not a Jest/vitest JSON report: no testResults array');
  }
  return parsed as JestReport;
}

function statusOf(status: string | undefined): CaseStatus {
  if (status === 'passed') return 'passed';
  if (status === 'failed') return 'failed';
  // pending, skipped, todo, disabled: the test did not run.
  return 'skipped';
}

function toCase(assertion: JestAssertion, file: string | undefined, root: string): TestCase {
  const titles = [...(assertion.ancestorTitles ?? []), assertion.title ?? ''].filter((title) => title !== '');
  const status = statusOf(assertion.status);
  const testCase: TestCase = {
    name: titles.join(' > '),
    file,
    line: assertion.location?.line ?? undefined,
    status,
    durationMs: typeof assertion.duration === 'number' ? Math.round(assertion.duration) : undefined,
    // What `-t` matches: jest and vitest join the titles with single spaces.
    id: assertion.fullName ?? titles.join(' '),
  };
  const failureText = (assertion.failureMessages ?? []).join('\n\n');
  if (status === 'failed' && failureText.trim() !== '') {
    testCase.message = headline(failureText);
    testCase.excerpt = jsErrorExcerpt(failureText, root);
    // The assertion's own line is a better pointer than the test's declaration line.
    const frame = failureFrame(failureText, root, file);
    if (frame && projectPath(frame.location, root) === file) testCase.line = frame.line;
  }
  return compact(testCase);
}

/**
 * A file that failed before or outside its tests (syntax error, missing import, a failing
 * afterAll). Jest also repeats every test failure in the file's `message`, so only a message with
 * no failed test to explain it counts.
 */
function suiteErrorOf(fileResult: JestFileResult, assertions: JestAssertion[], file: string | undefined, root: string): string | undefined {
  const message = stripAnsi(fileResult.message ?? '').trim();
  if (message === '') return undefined;
  if (assertions.some((assertion) => statusOf(assertion.status) === 'failed')) return undefined;
  return `${file ?? 'test file'}: ${jsErrorExcerpt(message, root)}`;
}

/**
 * The tests' own statuses when they account for every test the report counts: vitest before 2
 * counts a skipped test as passed in its totals (numPassedTests), while the test itself says
 * "skipped", as does vitest's own summary line. The totals only when the tests do not add up.
 */
function summaryOf(report: JestReport, cases: TestCase[]): ParsedReport['summary'] {
  const { numTotalTests, numPassedTests, numFailedTests } = report;
  if (typeof numTotalTests !== 'number' || typeof numPassedTests !== 'number' || typeof numFailedTests !== 'number' || cases.length === numTotalTests) {
    return countCases(cases);
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return { total: numTotalTests, passed: numPassedTests, failed: numFailedTests, skipped };
}
