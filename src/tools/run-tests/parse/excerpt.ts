/**
 * Helpers every report parser shares: cleaning runner text, finding the stack frames that point
 * into the project, and cutting a failure down to the short excerpt the tool returns.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseStatus, ParsedReport, TestCase } from '../types.js';

/** Excerpts stay short: the model needs the assertion and where it happened, not the whole dump. */
export const MAX_EXCERPT_LINES = 20;
/** Frames inside the project worth showing below the assertion. */
const MAX_PROJECT_FRAMES = 3;
const MAX_MESSAGE_CHARS = 300;

// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles) that runners print.
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** Lines without trailing whitespace or carriage returns. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trimEnd());
}

/** The first `max` lines of a text, with a marker saying how many were left out. */
export function cutLines(text: string, max = MAX_EXCERPT_LINES): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  const kept = lines.slice(0, max - 1);
  kept.push(`… (${lines.length - kept.length} more lines)`);
  return kept.join('\n');
}

/** Drops leading and trailing blank lines and collapses runs of blank lines inside. */
export function tidyLines(lines: string[]): string[] {
  const tidy: string[] = [];
  for (const line of lines) {
    const blank = line.trim() === '';
    if (blank && (tidy.length === 0 || tidy[tidy.length - 1] === '')) continue;
    tidy.push(blank ? '' : line);
  }
  while (tidy.length > 0 && tidy[tidy.length - 1] === '') tidy.pop();
  return tidy;
}

/** Removes the indentation all non-blank lines share (reports indent nested error dumps). */
export function dedent(lines: string[]): string[] {
  // A reduce, not Math.min(...): a chatty failing test can print more lines than a call takes arguments.
  const common = lines
    .filter((line) => line.trim() !== '')
    .reduce((least, line) => Math.min(least, line.length - line.trimStart().length), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(common)) return lines;
  return lines.map((line) => line.slice(Math.min(common, line.length - line.trimStart().length)));
}

/** The first non-blank line of a message, capped: `TestCase.message` is a headline, the excerpt has the rest. */
export function headline(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const first = splitLines(stripAnsi(text)).find((line) => line.trim() !== '');
  if (first === undefined) return undefined;
  const line = first.trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
}

/** Forward slashes, and root-relative when the path lies inside `root`. `file://` URLs become paths. */
export function projectPath(path: string, root?: string): string {
  let plain = path;
  if (plain.startsWith('file://')) {
    try {
      plain = fileURLToPath(plain);
    } catch {
      plain = plain.slice('file://'.length);
    }
  }
  if (root !== undefined && isAbsolute(plain)) {
    const inside = relative(root, plain);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) plain = inside;
  }
  return plain.split(sep).join('/').replace(/^\.\//, '');
}

export interface StackFrame {
  /** The location as printed (absolute, relative or a `file://` URL). */
  location: string;
  line: number;
  column?: number;
  /** The frame line as printed, trimmed. */
  text: string;
}

// V8: `at fn (/abs/x.js:8:21)`, `at /abs/x.ts:8:17`, `at file:///x.mjs:4:28`; node's junit dump
// leaves ` {` after the last frame of an error that has extra properties.
const V8_FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?(?: \{)?$/;
// vitest: ` ❯ test/math.test.ts:8:17` or ` ❯ fn ../../node_modules/x.js:1:2`.
const VITEST_FRAME = /^\s*❯ (?:\S+ )?([^\s()]+?):(\d+):(\d+)$/;

export function parseStackFrame(line: string): StackFrame | undefined {
  const match = V8_FRAME.exec(line) ?? VITEST_FRAME.exec(line);
  if (!match) return undefined;
  return { location: match[1]!, line: Number(match[2]), column: Number(match[3]), text: line.trim() };
}

/** Whether a line belongs to a stack trace (a V8 or vitest frame, or a frame without position). */
export function isStackLine(line: string): boolean {
  return parseStackFrame(line) !== undefined || /^\s*at .+\)$|^\s*at (?:new )?\S+ \(<anonymous>\)$/.test(line);
}

/**
 * A frame in the project's own code: not node internals, not a dependency, and (when the
 * location is absolute and the root is known) inside the root. Relative locations are relative to
 * the runner's directory, which is the project.
 */
export function isProjectFrame(frame: StackFrame, root?: string): boolean {
  const location = frame.location;
  if (location.startsWith('node:') || location.startsWith('internal/') || location.startsWith('<')) return false;
  if (/(^|[/\\])node_modules[/\\]/.test(location)) return false;
  const path = projectPath(location, root);
  if (isAbsolute(path)) return root === undefined;
  return !path.startsWith('../');
}

/** The frames of a stack text that point into the project, in order. */
export function projectFrames(text: string, root?: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of splitLines(text)) {
    const frame = parseStackFrame(line);
    if (frame && isProjectFrame(frame, root)) frames.push(frame);
  }
  return frames;
}

/**
 * The frame to report as the failure's position: the first one in the test file when we know it
 * (an assertion helper in the project would otherwise win), else the first project frame.
 */
export function failureFrame(text: string, root?: string, testFile?: string): StackFrame | undefined {
  const frames = projectFrames(text, root);
  if (testFile !== undefined) {
    const inTest = frames.find((frame) => projectPath(frame.location, root) === testFile);
    if (inTest) return inTest;
  }
  return frames[0];
}

/** Splits an error dump into the message (everything before the first stack line) and the rest. */
export function splitMessageAndStack(text: string): { message: string[]; stack: string[] } {
  const lines = splitLines(stripAnsi(text));
  const firstFrame = lines.findIndex(isStackLine);
  if (firstFrame < 0) return { message: lines, stack: [] };
  return { message: lines.slice(0, firstFrame), stack: lines.slice(firstFrame) };
}

/**
 * The excerpt for an error dump with a JS-style stack: the message (assertion and diff), then the
 * first few frames inside the project with the root prefix dropped, at most MAX_EXCERPT_LINES.
 */
export function jsErrorExcerpt(text: string, root?: string): string {
  const { message, stack } = splitMessageAndStack(dropJestSuiteHeading(text));
  const frames = projectFrames(stack.join('\n'), root)
    .slice(0, MAX_PROJECT_FRAMES)
    .map((frame) => `    ${shortenFrame(frame.text, root)}`);
  const messageLines = tidyLines(dedent(dropRepeatedHeadline(message)));
  // A headline indented deeper than its continuation lines (mocha) keeps no meaningful indent.
  if (messageLines.length > 0) messageLines[0] = messageLines[0]!.trimStart();
  // A long diff is cut, not the frames that say where it happened.
  const shownMessage = cutLines(messageLines.join('\n'), MAX_EXCERPT_LINES - frames.length);
  return [shownMessage, ...frames].filter((part) => part !== '').join('\n');
}

/**
 * Reporters that print `message`, a diff, then `stack` (mocha's xunit) repeat the headline as
 * `SomeError: message`; the repetition and what follows it add nothing.
 */
function dropRepeatedHeadline(lines: string[]): string[] {
  const first = lines.find((line) => line.trim() !== '')?.trim();
  if (first === undefined) return lines;
  const start = lines.findIndex((line) => line.trim() !== '');
  const repeat = lines.findIndex(
    (line, index) => index > start && /^[\w$.]*(?:Error|Exception)\b[^:]*: /.test(line.trim()) && line.trim().endsWith(`: ${first}`),
  );
  return repeat < 0 ? lines : lines.slice(0, repeat);
}

/** jest opens a file's load failure with `● Test suite failed to run`; the file name says as much. */
export function dropJestSuiteHeading(text: string): string {
  return text.replace(/^\s*● Test suite failed to run\s*\n/, '');
}

function shortenFrame(text: string, root?: string): string {
  if (root === undefined) return text;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return text.split(`file://${prefix}`).join('').split(prefix).join('');
}

// `math_test.go:12: got 2`, `src/lib.rs:10:5:`, `tests/test_x.py:13: AssertionError`.
const FILE_LINE = /(?:^|[\s(])((?:[\w.@-]+\/)*[\w.@-]+\.[A-Za-z]\w*):(\d+)(?::(\d+))?(?=[:\s)]|$)/;

/** The first `file:line` (optionally `:column`) reference in a text. */
export function findFileLine(text: string): { file: string; line: number } | undefined {
  for (const line of splitLines(text)) {
    const match = FILE_LINE.exec(line);
    if (match) return { file: match[1]!, line: Number(match[2]) };
  }
  return undefined;
}

/** Counts of a list of cases, for reports without their own totals. */
export function countCases(cases: TestCase[]): ParsedReport['summary'] {
  const count = (status: CaseStatus) => cases.filter((testCase) => testCase.status === status).length;
  return { total: cases.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** Drops keys whose value is undefined, so results compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
