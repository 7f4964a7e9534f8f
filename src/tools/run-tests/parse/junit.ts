/**
 * JUnit XML, in the dialects the runners we drive write: pytest `--junitxml`, node's
 * `--test-reporter=junit`, vitest's and jest-junit's `junit`, mocha's `xunit`, and anything that
 * nests `<testsuite>` elements.
 */
import type { ParsedReport, TestCase } from '../types.js';
import {
  MAX_EXCERPT_LINES,
  compact,
  countCases,
  cutLines,
  dedent,
  failureFrame,
  headline,
  isStackLine,
  jsErrorExcerpt,
  projectPath,
  splitLines,
  splitMessageAndStack,
  stripAnsi,
  tidyLines,
} from './excerpt.js';

export interface JunitOptions {
  /** Absolute project root: absolute paths and `file://` URLs in the report are made relative to it. */
  root?: string;
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

interface Outcome {
  status: TestCase['status'];
  /** The failure's `message` attribute, when there is one. */
  message?: string | undefined;
  /** The failure element's text: the stack or traceback dump. */
  body: string;
}

interface Collected {
  cases: TestCase[];
  errors: string[];
}

export function parseJunit(xml: string, options: JunitOptions = {}): ParsedReport {
  const documentElement = toTree(xml);
  const pytest = isPytestReport(documentElement);
  const collected: Collected = { cases: [], errors: [] };
  // A lone <testsuite> root (mocha's xunit) is walked like a suite inside <testsuites>.
  const top = documentElement.name === 'testsuites' ? documentElement : { name: 'testsuites', attrs: {}, children: [documentElement], text: '' };
  walkSuite(top, [], undefined, { ...options, pytest }, collected);
  return { cases: collected.cases, summary: countCases(collected.cases), errors: collected.errors };
}

// ---------------------------------------------------------------------------------------------
// XML to a small element tree

// Control characters are not allowed in XML 1.0, yet vitest writes raw ANSI colour codes into
// attributes; removing them keeps the validator from refusing an otherwise sound report.
const XML_INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

function toTree(xml: string): XmlElement {
  const cleaned = stripAnsi(xml)
    .replace(/^\uFEFF/, '')
    .replace(XML_INVALID_CHARS, '');
  if (cleaned.trim() === '') throw new Error('JUnit report is empty');
  const top = readXml(cleaned);
  if (top.name !== 'testsuites' && top.name !== 'testsuite') {
    throw new Error(`not a JUnit report: the root element is <${top.name}>, not <testsuites> or <testsuite>`);
  }
  return top;
}

// A JUnit report is elements, attributes, text, CDATA and comments: read in one pass with one
// regex for the markup (a general XML parser costs several times more on a report of thousands
// of test cases; see bench/run-tests.mjs). Anything not well formed is refused, never guessed.
const MARKUP =
  /<(?:(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|!\[CDATA\[([\s\S]*?)\]\]>|!--[\s\S]*?-->|\?[\s\S]*?\?>|!DOCTYPE[^>]*>)/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#(\d+)|#x([\da-fA-F]+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, decimal?: string, hex?: string, name?: string) => {
    if (name) return NAMED[name]!;
    const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function readXml(xml: string): XmlElement {
  const malformed = (why: string, at: number): Error =>
    new Error(`JUnit report is malformed or truncated: ${why} (line ${xml.slice(0, at).split('\n').length})`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let last = 0;
  MARKUP.lastIndex = 0;
  for (let match = MARKUP.exec(xml); match !== null; match = MARKUP.exec(xml)) {
    const between = xml.slice(last, match.index);
    if (between.includes('<')) throw malformed('a "<" that starts no markup', last + between.indexOf('<'));
    if (stack.length) stack.at(-1)!.text += decode(between);
    else if (between.trim() !== '') throw malformed('text outside the root element', last);
    last = MARKUP.lastIndex;
    const [, closing, name, attributes, selfClosing, cdata] = match;
    if (cdata !== undefined) {
      if (!stack.length) throw malformed('CDATA outside the root element', match.index);
      stack.at(-1)!.text += cdata;
    } else if (name !== undefined && closing) {
      const open = stack.pop();
      if (open?.name !== name) throw malformed(`</${name}> closes ${open ? `<${open.name}>` : 'nothing'}`, match.index);
    } else if (name !== undefined) {
      if (!stack.length && root) throw malformed('a second root element', match.index);
      const element: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (const attribute of attributes!.matchAll(ATTRIBUTE)) element.attrs[attribute[1]!] = decode(attribute[2] ?? attribute[3] ?? '');
      if (stack.length) stack.at(-1)!.children.push(element);
      else root = element;
      if (!selfClosing) stack.push(element);
    } // else: a comment, a processing instruction, a DOCTYPE
  }
  const rest = xml.slice(last);
  if (rest.includes('<')) throw malformed('a "<" that starts no markup', last + rest.indexOf('<'));
  if (stack.length) throw malformed(`<${stack.at(-1)!.name}> is not closed`, xml.length);
  if (!root) throw malformed('no root element', 0);
  if (rest.trim() !== '') throw malformed('text after the root element', last);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Walking suites

interface WalkOptions extends JunitOptions {
  pytest: boolean;
}

// Suite names that label the runner rather than a describe block: not part of a test's name.
const RUNNER_LABELS = new Set(['', 'pytest', 'mocha tests', 'undefined', 'root', 'jest tests', 'vitest tests']);

function walkSuite(suite: XmlElement, names: string[], file: string | undefined, options: WalkOptions, out: Collected): void {
  for (const child of suite.children) {
    if (child.name === 'testsuite') {
      const suiteName = (child.attrs.name ?? '').trim();
      if (looksLikeFile(suiteName)) walkSuite(child, names, projectPath(suiteName, options.root), options, out);
      else if (RUNNER_LABELS.has(suiteName.toLowerCase())) walkSuite(child, names, file, options, out);
      else walkSuite(child, [...names, suiteName], file, options, out);
    } else if (child.name === 'testcase') {
      if (options.pytest) addPytestCase(child, options, out);
      else addCase(child, names, file, suite.attrs.name, options, out);
    }
  }
}

function looksLikeFile(name: string): boolean {
  return /^\S+\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|cs|php|feature)$/i.test(name) || /^\S*\/\S+\.\w{1,5}$/.test(name);
}

function outcomeOf(testcase: XmlElement): Outcome {
  const failure = testcase.children.find((child) => child.name === 'failure' || child.name === 'error');
  if (failure) return { status: 'failed', message: failure.attrs.message, body: failure.text.trim() };
  if (testcase.children.some((child) => child.name === 'skipped')) return { status: 'skipped', body: '' };
  // node's reporter also flags failures in an attribute; trust it even without a child element.
  if (testcase.attrs.failure !== undefined) return { status: 'failed', message: testcase.attrs.failure, body: '' };
  return { status: 'passed', body: '' };
}

function durationOf(testcase: XmlElement): number | undefined {
  const seconds = Number(testcase.attrs.time);
  return testcase.attrs.time !== undefined && Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
}

// ---------------------------------------------------------------------------------------------
// JS runners and generic JUnit

function addCase(
  testcase: XmlElement,
  suiteNames: string[],
  suiteFile: string | undefined,
  parentSuiteName: string | undefined,
  options: WalkOptions,
  out: Collected,
): void {
  const rawName = (testcase.attrs.name ?? '').trim();
  const classname = (testcase.attrs.classname ?? '').trim();
  const outcome = outcomeOf(testcase);
  const dump = errorDump(outcome.body);
  const file = caseFile(testcase, classname, suiteFile, options.root);

  if (outcome.status === 'failed' && isSuiteFailure(rawName, classname, parentSuiteName)) {
    addSuiteError(out, file ?? rawName, outcome, dump, options.root);
    return;
  }

  const parts = nameParts(rawName, classname, suiteNames, options.root);
  const testCase: TestCase = {
    name: parts.join(' > '),
    file: file ?? (looksLikeFile(rawName) ? projectPath(rawName, options.root) : undefined),
    status: outcome.status,
    durationMs: durationOf(testcase),
    // jest, vitest and mocha match `-t`/`--grep` against the titles joined by single spaces.
    id: parts.flatMap((part) => part.split(' > ')).join(' '),
  };
  const declaredLine = Number(testcase.attrs.line);
  if (Number.isInteger(declaredLine) && declaredLine > 0) testCase.line = declaredLine;
  if (outcome.status === 'failed') describeJsFailure(testCase, outcome, dump, options.root);
  out.cases.push(compact(testCase));
}

/** Failure text with node's wrapper removed: its junit dump nests the real error under `cause:`. */
function errorDump(body: string): string {
  if (!body.includes('ERR_TEST_FAILURE')) return body;
  const cause = /\bcause: (.*)$/ms.exec(body);
  if (!cause) return body;
  const quoted = /^'((?:[^'\\]|\\.)*)'/.exec(cause[1]!);
  if (quoted) return quoted[1]!;
  // The cause's first line starts after `cause: `; the message lines below it carry the dump's
  // indentation, which the stack and the closing braces do not share.
  const [first = '', ...rest] = cause[1]!.split('\n');
  const stackStart = rest.findIndex(isStackLine);
  const messageEnd = stackStart < 0 ? rest.length : stackStart;
  return [first, ...dedent(rest.slice(0, messageEnd)), ...rest.slice(messageEnd)].join('\n');
}

function describeJsFailure(testCase: TestCase, outcome: Outcome, dump: string, root?: string): void {
  const { message } = splitMessageAndStack(dump);
  // node flattens newlines out of its `message` attribute, so its dump's first line reads better.
  const fromDump = headline(message.join('\n'));
  const fromAttribute = headline(outcome.message);
  testCase.message = dump !== outcome.body ? (fromDump ?? fromAttribute) : (fromAttribute ?? fromDump);
  testCase.excerpt = dump.trim() !== '' ? jsErrorExcerpt(dump, root) : testCase.message;
  const frame = failureFrame(dump, root, testCase.file);
  if (frame) {
    testCase.file ??= projectPath(frame.location, root);
    if (projectPath(frame.location, root) === testCase.file) testCase.line = frame.line;
  }
}

function caseFile(testcase: XmlElement, classname: string, suiteFile: string | undefined, root?: string): string | undefined {
  const declared = testcase.attrs.file;
  if (declared !== undefined && declared.trim() !== '') return projectPath(declared.trim(), root);
  if (looksLikeFile(classname)) return projectPath(classname, root);
  return suiteFile;
}

/**
 * A file that failed to load, reported as a test: vitest names the case after the file (name,
 * classname and suite all equal); jest-junit uses the classname "Test suite failed to run".
 */
function isSuiteFailure(name: string, classname: string, suiteName: string | undefined): boolean {
  if (classname === 'Test suite failed to run') return true;
  return looksLikeFile(name) && name === classname && name === (suiteName ?? '').trim();
}

function addSuiteError(out: Collected, where: string, outcome: Outcome, dump: string, root?: string): void {
  // jest-junit reports one failed suite twice (an <error> and a <failure> with the error as JSON).
  if (out.errors.some((error) => error.startsWith(`${where}: `))) return;
  const excerpt = dump.trim() !== '' ? jsErrorExcerpt(dump, root) : (outcome.message ?? 'failed to run');
  out.errors.push(`${where}: ${excerpt}`);
}

// node's junit reporter gives every case the classname "test".
const NODE_CLASSNAME = 'test';

/** Describe blocks, classname and title, without repeating what the reporter already folded in. */
function nameParts(name: string, classname: string, suiteNames: string[], root?: string): string[] {
  const parts = [...suiteNames];
  const classnameAddsNothing = classname === '' || classname === name || looksLikeFile(classname) || name.startsWith(`${classname} `);
  const label = RUNNER_LABELS.has(classname.toLowerCase()) || classname === NODE_CLASSNAME;
  if (!classnameAddsNothing && !label) parts.push(classname);
  parts.push(looksLikeFile(name) ? projectPath(name, root) : name);
  return parts;
}

// ---------------------------------------------------------------------------------------------
// pytest

function isPytestReport(documentElement: XmlElement): boolean {
  if ((documentElement.attrs.name ?? '').startsWith('pytest')) return true;
  const suites = documentElement.name === 'testsuite' ? [documentElement] : documentElement.children.filter((child) => child.name === 'testsuite');
  return suites.some((suite) => suite.attrs.name === 'pytest');
}

// `tests/test_math.py:13: AssertionError` — where pytest's traceback says the failure happened.
const PY_LOCATION = /^([^\s:<>][^\s:]*\.py):(\d+):(?: |$)/;

function addPytestCase(testcase: XmlElement, options: WalkOptions, out: Collected): void {
  const name = (testcase.attrs.name ?? '').trim();
  const classname = (testcase.attrs.classname ?? '').trim();
  const outcome = outcomeOf(testcase);
  if (outcome.status === 'failed' && (classname === '' || outcome.message === 'collection failure')) {
    // A module that failed to import: pytest names the case after the module, it is no test.
    out.errors.push(`${name}: ${headline(outcome.message) ?? 'collection failure'}\n${pytestExcerpt(outcome.body)}`);
    return;
  }
  const target = pytestTarget(classname, testcase.attrs.file, outcome.body, options.root);
  const id = [target.file, ...target.classes, name].join('::');
  const testCase: TestCase = { name: id, file: target.file, status: outcome.status, durationMs: durationOf(testcase), id };
  // pytest's `line` attribute (junit_family=xunit1) is 0-based.
  const declaredLine = Number(testcase.attrs.line);
  if (testcase.attrs.line !== undefined && Number.isInteger(declaredLine)) testCase.line = declaredLine + 1;
  if (outcome.status === 'failed') {
    testCase.message = headline(outcome.message) ?? headline(outcome.body);
    testCase.excerpt = pytestExcerpt(outcome.body);
    const failureLine = lastLocationIn(outcome.body, target.file);
    if (failureLine !== undefined) testCase.line = failureLine;
  }
  out.cases.push(compact(testCase));
}

/**
 * The test's file and class path. With `file` (xunit1) the classname minus the module is the class
 * path; without it, leading lower-case segments of `tests.test_math.TestX` are the module (classes
 * are CapWords by convention), checked against the traceback's locations when there are any.
 */
function pytestTarget(classname: string, declaredFile: string | undefined, body: string, root?: string): { file: string; classes: string[] } {
  const segments = classname.split('.').filter((segment) => segment !== '');
  if (declaredFile !== undefined && declaredFile !== '') {
    const file = projectPath(declaredFile, root);
    const moduleSegments = file.replace(/\.py$/, '').split('/');
    return { file, classes: segments.slice(commonSuffixStart(segments, moduleSegments)) };
  }
  const firstClass = segments.findIndex((segment) => /^[A-Z]/.test(segment));
  const moduleSegments = firstClass < 0 ? segments : segments.slice(0, firstClass);
  const classes = firstClass < 0 ? [] : segments.slice(firstClass);
  const guess = `${moduleSegments.join('/')}.py`;
  const seen = pythonLocations(body).find((location) => location === guess || location.endsWith(`/${guess}`));
  return { file: seen ?? guess, classes };
}

/** How many leading classname segments name the module: `tests.test_math.TestX` vs `tests/test_math`. */
function commonSuffixStart(segments: string[], moduleSegments: string[]): number {
  for (let take = Math.min(segments.length, moduleSegments.length); take > 0; take--) {
    const head = segments.slice(0, take).join('.');
    if (moduleSegments.slice(-take).join('.') === head) return take;
  }
  return 0;
}

function pythonLocations(body: string): string[] {
  return splitLines(body).flatMap((line) => {
    const match = PY_LOCATION.exec(line);
    return match ? [match[1]!] : [];
  });
}

/** The last traceback location in the test's own file: the failing line of the test. */
function lastLocationIn(body: string, file: string): number | undefined {
  let found: number | undefined;
  for (const line of splitLines(body)) {
    const match = PY_LOCATION.exec(line);
    if (match && match[1] === file) found = Number(match[2]);
  }
  return found;
}

/**
 * pytest's traceback trimmed to what explains the failure: the `>` source lines, the `E` lines
 * and the project's own `file:line:` locations (not site-packages).
 */
function pytestExcerpt(body: string): string {
  const lines = splitLines(stripAnsi(body));
  const picked = lines.filter((line) => /^>\s/.test(line) || /^E(\s|$)/.test(line) || isProjectPyLocation(line));
  const last = picked[picked.length - 1];
  if (picked.length > MAX_EXCERPT_LINES && last !== undefined && isProjectPyLocation(last)) {
    // A long assertion diff is cut, not the closing `file:line: Error` that says where it failed.
    return `${cutLines(picked.slice(0, -1).join('\n'), MAX_EXCERPT_LINES - 1)}\n${last}`;
  }
  if (picked.length > 0) return cutLines(picked.join('\n'));
  return cutLines(tidyLines(dedent(lines)).slice(-MAX_EXCERPT_LINES).join('\n'));
}

function isProjectPyLocation(line: string): boolean {
  const match = PY_LOCATION.exec(line);
  return match !== null && !match[1]!.startsWith('/') && !match[1]!.includes('site-packages');
}
