/**
 * `cargo test` has no stable machine-readable output (libtest's JSON needs nightly), so its text
 * is parsed: per-test lines, the `failures:` section, the `test result:` line of every test binary
 * (unit tests, integration tests, doc-tests) and compile errors.
 */
import type { ParsedReport, TestCase } from '../types.js';
import { MAX_EXCERPT_LINES, compact, countCases, cutLines, headline, splitLines, stripAnsi, tidyLines } from './excerpt.js';

interface Failure {
  message?: string | undefined;
  excerpt?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  binaries: number;
}

// `test tests::adds ... ok`, `test src/lib.rs - add (line 3) ... ignored, reason`
const TEST_LINE = /^test (.+?) \.\.\. (ok|FAILED|ignored\b.*)$/;
// `     Running tests/integration.rs (target/debug/deps/integration-0f2a)`
const RUNNING_LINE = /^\s+Running (?:unittests )?(\S+)/;
const DOC_TESTS_LINE = /^\s+Doc-tests \S+/;
const FAILURE_HEADER = /^---- (.+) stdout ----$/;
const RESULT_LINE = /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;/;
// `thread 'x' (1768) panicked at src/lib.rs:29:9:` (rust >= 1.73; the thread id since 1.88)
const PANIC_AT = /^thread '(.*?)'(?: \(\d+\))? panicked at ([^\s:]+):(\d+):(\d+):$/;
// `thread 'x' panicked at 'message', src/lib.rs:29:9` (older rust; the message may span lines)
const OLD_PANIC = /^thread '(.*?)' panicked at '(.*)$/;
const OLD_PANIC_END = /^(.*)', ([^\s:]+):(\d+):(\d+)$/;
// `src/lib.rs - doc_fails (line 12)`
const DOC_TEST_NAME = /^(\S+) - .*\(line (\d+)\)/;

export function parseCargoTest(output: string): ParsedReport {
  const lines = splitLines(stripAnsi(output));
  const cases: TestCase[] = [];
  const totals: Totals = { passed: 0, failed: 0, skipped: 0, binaries: 0 };
  let target: string | undefined;
  let doc = false;
  let failures = new Map<string, Failure>();
  let binaryCases: TestCase[] = [];

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const running = RUNNING_LINE.exec(line);
    if (running || DOC_TESTS_LINE.test(line)) {
      target = running ? running[1] : undefined;
      doc = !running;
      continue;
    }
    const testLine = TEST_LINE.exec(line);
    if (testLine) {
      binaryCases.push(caseOf(testLine[1]!, testLine[2]!, target, doc));
      continue;
    }
    const header = FAILURE_HEADER.exec(line);
    if (header) {
      const block = failureBlock(lines, index + 1);
      failures.set(header[1]!, describeFailure(lines.slice(index + 1, block)));
      index = block - 1;
      continue;
    }
    const result = RESULT_LINE.exec(line);
    if (result) {
      addTotals(totals, result);
      cases.push(...attachFailures(binaryCases, failures, target, doc));
      binaryCases = [];
      failures = new Map();
    }
  }
  // A binary cut off before its `test result:` (crash, timeout) still reported its tests.
  cases.push(...attachFailures(binaryCases, failures, target, doc));

  const summary =
    totals.binaries > 0
      ? { total: totals.passed + totals.failed + totals.skipped, passed: totals.passed, failed: totals.failed, skipped: totals.skipped }
      : countCases(cases);
  return { cases, summary, errors: buildErrors(lines) };
}

function caseOf(name: string, verdict: string, target: string | undefined, doc: boolean): TestCase {
  const status = verdict === 'ok' ? 'passed' : verdict === 'FAILED' ? 'failed' : 'skipped';
  const testCase: TestCase = { name, status, id: name };
  const docName = doc ? DOC_TEST_NAME.exec(name) : null;
  if (docName) {
    testCase.file = docName[1];
    testCase.line = Number(docName[2]);
  } else if (target !== undefined && /(^|\/)tests\/[^/]+\.rs$/.test(target)) {
    // An integration test binary is one file; a unit test's module file is only known from a panic.
    testCase.file = target;
  }
  return testCase;
}

function addTotals(totals: Totals, result: RegExpExecArray): void {
  totals.passed += Number(result[1]);
  totals.failed += Number(result[2]);
  totals.skipped += Number(result[3]);
  totals.binaries++;
}

function attachFailures(binaryCases: TestCase[], failures: Map<string, Failure>, target: string | undefined, doc: boolean): TestCase[] {
  // `cargo test -q` prints dots instead of `test … FAILED` lines: the failures section still names them.
  const listed = new Set(binaryCases.map((testCase) => testCase.name));
  const unlisted = [...failures.keys()].filter((name) => !listed.has(name)).map((name) => caseOf(name, 'FAILED', target, doc));
  return [...binaryCases, ...unlisted].map((testCase) => {
    const failure = testCase.status === 'failed' ? failures.get(testCase.name) : undefined;
    if (!failure) return compact(testCase);
    // A doc-test panics inside a generated file in /tmp: its own name says where it is.
    const keepDocPosition = testCase.file !== undefined && testCase.line !== undefined && DOC_TEST_NAME.test(testCase.name);
    return compact({
      ...testCase,
      message: failure.message,
      excerpt: failure.excerpt,
      file: keepDocPosition ? testCase.file : (failure.file ?? testCase.file),
      line: keepDocPosition ? testCase.line : (failure.line ?? testCase.line),
    });
  });
}

/** Index of the line after a `---- name stdout ----` block. */
function failureBlock(lines: string[], start: number): number {
  let end = start;
  while (end < lines.length && !FAILURE_HEADER.test(lines[end]!) && lines[end] !== 'failures:' && !RESULT_LINE.test(lines[end]!)) {
    end++;
  }
  return end;
}

/** The panic (where and what) of a failure block; the test's own printed output is left out. */
function describeFailure(block: string[]): Failure {
  for (let index = 0; index < block.length; index++) {
    const line = block[index]!;
    const panic = PANIC_AT.exec(line);
    if (panic) {
      const message = panicMessage(block, index + 1);
      return withPosition({ message: headline(message.join('\n')), excerpt: cutLines([line, ...message].join('\n')) }, panic[2]!, panic[3]!);
    }
    const old = OLD_PANIC.exec(line);
    if (old) return oldPanic(block, index, old[2]!);
  }
  // No panic: a doc-test that failed to compile, or a test returning Err.
  const text = tidyLines(block).join('\n');
  const firstError = block.find((line) => /^error(\[E\d+\])?:/.test(line.trim()) || /^Error: /.test(line));
  return { message: headline(firstError ?? text), excerpt: text === '' ? undefined : cutLines(text) };
}

/** Lines after `panicked at …:` up to the backtrace or the `note:` hint. */
function panicMessage(block: string[], start: number): string[] {
  const message: string[] = [];
  for (let index = start; index < block.length; index++) {
    const line = block[index]!;
    if (line.startsWith('stack backtrace:') || line.startsWith('note: ') || line === '') break;
    message.push(line);
  }
  return message.slice(0, MAX_EXCERPT_LINES - 1);
}

function oldPanic(block: string[], start: number, firstLine: string): Failure {
  const message: string[] = [];
  let text = firstLine;
  for (let index = start; ; ) {
    const end = OLD_PANIC_END.exec(text);
    if (end) {
      message.push(end[1]!);
      const where = `panicked at ${end[2]}:${end[3]}:${end[4]}:`;
      return withPosition({ message: headline(message.join('\n')), excerpt: cutLines([where, ...message].join('\n')) }, end[2]!, end[3]!);
    }
    message.push(text);
    index++;
    if (index >= block.length) break;
    text = block[index]!;
  }
  return { message: headline(firstLine), excerpt: cutLines(message.join('\n')) };
}

function withPosition(failure: Failure, file: string, line: string): Failure {
  // Panics inside the standard library or a generated doc-test file are not the test's position.
  if (file.startsWith('/') || file.startsWith('library/')) return failure;
  return { ...failure, file, line: Number(line) };
}

/**
 * Compile errors (`error[E0425]: …` with its location and code lines) and test binaries that died
 * (`process didn't exit successfully`). cargo's own `error: test failed, to rerun …` lines only
 * repeat the failures, and the failures blocks are skipped: a doc-test's compile error is its own.
 */
function buildErrors(lines: string[]): string[] {
  const errors: string[] = [];
  let inFailureBlock = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (FAILURE_HEADER.test(line)) inFailureBlock = true;
    if (line === 'failures:' || RESULT_LINE.test(line)) inFailureBlock = false;
    if (inFailureBlock) continue;
    if (/^error(\[E\d+\])?: /.test(line) && !/^error: (?:test failed|doctest failed|\d+ targets? failed)/.test(line)) {
      errors.push(cutLines(errorBlock(lines, index).join('\n')));
    } else if (/process didn't exit successfully/.test(line)) {
      errors.push(line.trim());
    }
  }
  return errors;
}

/** An error line and what rustc prints under it, up to the blank line that ends it. */
function errorBlock(lines: string[], start: number): string[] {
  const block = [lines[start]!];
  for (let index = start + 1; index < lines.length && lines[index]!.trim() !== ''; index++) {
    if (/^(error|warning)(\[\w+\])?: /.test(lines[index]!)) break;
    block.push(lines[index]!);
  }
  return block;
}
