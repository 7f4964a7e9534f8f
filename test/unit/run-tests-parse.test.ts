/**
 * The report parsers of run-tests, against output captured from the real runners (see
 * test/fixtures/run-tests/README.md for how each fixture was produced) and, for node:test and
 * pytest, against reports the runners write during this test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCargoTest } from '../../src/tools/run-tests/parse/cargo-text.js';
import { cutLines, findFileLine, isProjectFrame, jsErrorExcerpt, parseStackFrame, projectPath, stripAnsi } from '../../src/tools/run-tests/parse/excerpt.js';
import { parseJestJson } from '../../src/tools/run-tests/parse/jest-json.js';
import { parseJunit } from '../../src/tools/run-tests/parse/junit.js';
import { parseMochaJson } from '../../src/tools/run-tests/parse/mocha-json.js';
import { parseTextSummary } from '../../src/tools/run-tests/parse/text.js';
import type { ParsedReport, TestCase } from '../../src/tools/run-tests/types.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/run-tests');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

// Where the fixtures were captured: the roots the runners ran in.
const NODE_ROOT = '/tmp/cap/node';
const VITEST_ROOT = '/work/main/.tmp/cap-vitest';
const JEST_ROOT = '/tmp/cap/js/jest';
const MOCHA_ROOT = '/tmp/cap/js/mocha';

const byName = (report: ParsedReport, name: string): TestCase => {
  const found = report.cases.find((testCase) => testCase.name === name);
  if (!found) throw new Error(`no case named ${name} in ${report.cases.map((testCase) => testCase.name).join(', ')}`);
  return found;
};
const failedNames = (report: ParsedReport) => report.cases.filter((testCase) => testCase.status === 'failed').map((testCase) => testCase.name);

/** node's junit reporter closes with `<!-- pass 2 -->` comments: its own totals. */
function nodeTotals(xml: string): Record<string, number> {
  return Object.fromEntries([...xml.matchAll(/<!-- (\w+) ([\d.]+) -->/g)].map((match) => [match[1]!, Number(match[2])]));
}

/** Every excerpt keeps to its budget and shows no runner internals. */
function expectTidyExcerpts(report: ParsedReport): void {
  for (const testCase of report.cases) {
    if (testCase.excerpt === undefined) continue;
    expect(testCase.excerpt.split('\n').length).toBeLessThanOrEqual(20);
    expect(testCase.excerpt).not.toMatch(/node_modules|node:internal|\u001b\[/);
  }
}

describe('excerpt helpers', () => {
  it('strips colour and hyperlink escapes', () => {
    expect(stripAnsi('\u001b[31m\u001b[1mError\u001b[22m: x\u001b[39m \u001b]8;;http://a\u0007link\u001b]8;;\u0007')).toBe('Error: x link');
  });

  it('reads V8, file:// and vitest stack frames', () => {
    expect(parseStackFrame('    at Object.toBe (/p/__tests__/a.test.js:8:21)')).toMatchObject({ location: '/p/__tests__/a.test.js', line: 8, column: 21 });
    expect(parseStackFrame('    at /p/test/a.test.ts:8:17')).toMatchObject({ location: '/p/test/a.test.ts', line: 8 });
    expect(parseStackFrame('      at TestContext.<anonymous> (file:///p/x.test.mjs:4:28)')).toMatchObject({ location: 'file:///p/x.test.mjs', line: 4 });
    expect(parseStackFrame('      at async Test.run (node:internal/test_runner/test:526:7) {')).toMatchObject({ location: 'node:internal/test_runner/test' });
    expect(parseStackFrame(' ❯ test/math.test.ts:8:17')).toMatchObject({ location: 'test/math.test.ts', line: 8 });
    expect(parseStackFrame('    at new Promise (<anonymous>)')).toBeUndefined();
  });

  it('keeps only frames inside the project', () => {
    const frame = (line: string) => parseStackFrame(line)!;
    expect(isProjectFrame(frame('at x (/p/src/a.ts:1:1)'), '/p')).toBe(true);
    expect(isProjectFrame(frame('at x (file:///p/src/a.ts:1:1)'), '/p')).toBe(true);
    expect(isProjectFrame(frame('at x (/p/node_modules/jest-circus/build/utils.js:1:1)'), '/p')).toBe(false);
    expect(isProjectFrame(frame('at x (node:internal/timers:483:21)'), '/p')).toBe(false);
    expect(isProjectFrame(frame('at x (/elsewhere/a.ts:1:1)'), '/p')).toBe(false);
    expect(isProjectFrame(frame(' ❯ ../../node_modules/vite/dist/node.js:1:2'), '/p')).toBe(false);
    expect(projectPath('file:///p/test/a%20b.mjs', '/p')).toBe('test/a b.mjs');
  });

  it('finds file:line references of go, rust and python', () => {
    expect(findFileLine('    calc_test.go:14: Add(2, 2) = 4, want 5')).toEqual({ file: 'calc_test.go', line: 14 });
    expect(findFileLine("thread 'x' panicked at src/lib.rs:10:5:")).toEqual({ file: 'src/lib.rs', line: 10 });
    expect(findFileLine('tests/test_math.py:13: AssertionError')).toEqual({ file: 'tests/test_math.py', line: 13 });
    expect(findFileLine('\t/usr/local/go/src/testing/testing.go:874 +0x3a3')).toBeUndefined();
  });

  it('cuts long text and keeps the frames of a long diff', () => {
    const text = Array.from({ length: 50 }, (_, index) => `line ${index}`).join('\n');
    expect(cutLines(text, 5).split('\n')).toEqual(['line 0', 'line 1', 'line 2', 'line 3', '… (46 more lines)']);
    const dump = `AssertionError: differ\n${text}\n    at Context.<anonymous> (/p/test/a.spec.js:3:9)`;
    const excerpt = jsErrorExcerpt(dump, '/p');
    expect(excerpt.split('\n')).toHaveLength(20);
    expect(excerpt.endsWith('    at Context.<anonymous> (test/a.spec.js:3:9)')).toBe(true);
  });
});

describe('parseJunit: pytest --junitxml (pytest 9.0.3)', () => {
  // pytest printed: "2 failed, 2 passed, 1 skipped, 1 error in 1.20s" (an error in setup is a failure here).
  const runnerTotals = { total: 6, passed: 2, failed: 3, skipped: 1 };

  it('reads the default xunit2 dialect: node ids from the classname, failure line from the traceback', () => {
    const report = parseJunit(fixture('pytest-junit.xml'));
    expect(report.summary).toEqual(runnerTotals);
    expect(report.errors).toEqual([]);
    expect(report.cases.map((testCase) => testCase.id)).toEqual([
      'tests/test_math.py::test_add',
      'tests/test_math.py::test_add_wrong',
      'tests/test_math.py::test_skipped',
      'tests/test_math.py::TestOps::test_sub',
      'tests/test_math.py::TestOps::test_div',
      'tests/test_math.py::test_uses_broken',
    ]);
    const wrong = byName(report, 'tests/test_math.py::test_add_wrong');
    expect(wrong).toMatchObject({ status: 'failed', file: 'tests/test_math.py', line: 13, message: 'AssertionError: two & two <is> four' });
    expect(wrong.excerpt).toBe(
      [
        '>       assert add(2, 2) == 5, "two & two <is> four"',
        'E       AssertionError: two & two <is> four',
        'E       assert 4 == 5',
        'E        +  where 4 = add(2, 2)',
        'tests/test_math.py:13: AssertionError',
      ].join('\n'),
    );
    expect(byName(report, 'tests/test_math.py::test_uses_broken')).toMatchObject({
      status: 'failed',
      message: 'failed on setup with "RuntimeError: fixture exploded"',
      line: 31,
    });
    expect(byName(report, 'tests/test_math.py::test_skipped').status).toBe('skipped');
  });

  it('reads xunit1 file and (0-based) line attributes', () => {
    const report = parseJunit(fixture('pytest-junit-xunit1.xml'));
    expect(report.summary).toEqual(runnerTotals);
    // `def test_add():` is line 8 of the test file; pytest writes line="7".
    expect(byName(report, 'tests/test_math.py::test_add')).toMatchObject({ file: 'tests/test_math.py', line: 8, status: 'passed' });
    expect(byName(report, 'tests/test_math.py::TestOps::test_div')).toMatchObject({ line: 26, status: 'failed' });
  });

  it('turns a module that fails to import into an error, not a test', () => {
    // pytest printed: "1 error in 1.23s" — "ERROR tests/test_bad.py".
    const report = parseJunit(fixture('pytest-collect-error.xml'));
    expect(report.cases).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/^tests\.test_bad: collection failure\n/);
    expect(report.errors[0]).toContain('SyntaxError: invalid syntax');
    expect(report.errors[0]).not.toContain('site-packages');
  });

  it('guesses a node id from the classname alone', () => {
    const xml = `<testsuites><testsuite name="pytest"><testcase classname="pkg.sub.test_io.TestRead.TestNested" name="test_x[a-1]" time="0.1"/></testsuite></testsuites>`;
    expect(parseJunit(xml).cases[0]).toMatchObject({
      id: 'pkg/sub/test_io.py::TestRead::TestNested::test_x[a-1]',
      file: 'pkg/sub/test_io.py',
      durationMs: 100,
    });
  });
});

describe('parseJunit: node --test --test-reporter=junit (node 20.20.2)', () => {
  it('reads cases at the top level and in nested suites, with the assertion and the first project frame', () => {
    const xml = fixture('node-junit.xml');
    const report = parseJunit(xml, { root: NODE_ROOT });
    const totals = nodeTotals(xml);
    expect(report.summary).toEqual({ total: totals.tests, passed: totals.pass, failed: totals.fail, skipped: totals.skipped! + totals.todo! });
    expect(report.errors).toEqual([]);
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite > deep equal', 'throws']);
    const wrong = byName(report, 'adds wrong');
    // The message attribute is flattened ("one & one <is> two2 !== 3"); the dump's cause is not.
    expect(wrong).toMatchObject({ file: 'test/math.test.mjs', line: 9, message: 'AssertionError [ERR_ASSERTION]: one & one <is> two' });
    expect(wrong.excerpt).toBe('AssertionError [ERR_ASSERTION]: one & one <is> two\n\n2 !== 3\n    at TestContext.<anonymous> (test/math.test.mjs:9:10)');
    const deep = byName(report, 'math suite > deep equal');
    expect(deep).toMatchObject({ id: 'math suite deep equal', file: 'test/math.test.mjs', line: 18 });
    expect(deep.excerpt).toContain('+     2\n-     3');
    expect(byName(report, 'throws')).toMatchObject({ line: 24, message: 'TypeError [Error]: boom' });
    expectTidyExcerpts(report);
  });

  it('keeps a test file that failed to load as the failing test node reports', () => {
    const xml = fixture('node-junit-file-failure.xml');
    const report = parseJunit(xml, { root: '/tmp/cap/nodebad' });
    const totals = nodeTotals(xml);
    expect(report.summary).toEqual({ total: totals.tests, passed: totals.pass, failed: totals.fail, skipped: totals.skipped! + totals.todo! });
    expect(byName(report, 'test/broken.test.mjs')).toMatchObject({ status: 'failed', file: 'test/broken.test.mjs', message: 'test failed' });
  });

  it('without a root, reports absolute paths from file:// frames', () => {
    const report = parseJunit(fixture('node-junit.xml'));
    expect(byName(report, 'throws')).toMatchObject({ file: '/tmp/cap/node/test/math.test.mjs', line: 24 });
  });
});

describe('parseJunit: vitest, jest-junit and mocha xunit', () => {
  it('vitest 4.1.12 --reporter=junit: file from the suite, diff in the excerpt, a broken file as an error', () => {
    const report = parseJunit(fixture('vitest-junit.xml'), { root: VITEST_ROOT });
    // vitest printed: "Tests  2 failed | 2 passed | 1 skipped | 1 todo (6)", "Test Files  2 failed (2)".
    expect(report.summary).toEqual({ total: 6, passed: 2, failed: 2, skipped: 2 });
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite > deep equal']);
    expect(byName(report, 'math suite > nested ok & <fine>')).toMatchObject({ id: 'math suite nested ok & <fine>', file: 'test/math.test.ts' });
    const wrong = byName(report, 'adds wrong');
    expect(wrong).toMatchObject({ file: 'test/math.test.ts', line: 8, message: 'expected 2 to be 3 // Object.is equality' });
    expect(wrong.excerpt).toBe('AssertionError: expected 2 to be 3 // Object.is equality\n\n- Expected\n+ Received\n\n- 3\n+ 2\n    ❯ test/math.test.ts:8:17');
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/^test\/broken\.test\.ts: Error: Transform failed with 1 error:/);
    expect(report.errors[0]).not.toContain('\u001b');
    expectTidyExcerpts(report);
  });

  it('jest 29.7.0 + jest-junit 16 (suite name = file path): a suite that failed to run is one error', () => {
    const report = parseJunit(fixture('jest-junit.xml'), { root: JEST_ROOT });
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite deep equal', 'throws inside source']);
    // jest printed "3 failed, 1 skipped, 1 todo, 2 passed, 7 total"; jest-junit writes the todo as a plain passing case.
    expect(report.summary).toEqual({ total: 7, passed: 3, failed: 3, skipped: 1 });
    expect(byName(report, 'throws inside source')).toMatchObject({ file: '__tests__/thrower.test.js', line: 3, message: 'Error: seven is unlucky' });
    expect(byName(report, 'throws inside source').excerpt).toBe(
      'Error: seven is unlucky\n    at add (math.js:2:22)\n    at Object.add (__tests__/thrower.test.js:3:3)',
    );
    expect(report.errors).toEqual([expect.stringMatching(/^__tests__\/broken\.test\.js: Cannot find module '\.\.\/does-not-exist'/)]);
    expectTidyExcerpts(report);
  });

  it('mocha 11.8.0 --reporter xunit: classname is the describe path', () => {
    const report = parseJunit(fixture('mocha-xunit.xml'), { root: MOCHA_ROOT });
    // mocha printed: "2 passing", "2 pending", "3 failing".
    expect(report.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(failedNames(report)).toEqual(['root level throws', 'math > adds wrong', 'math nested & <deep> > deep equal']);
    const wrong = byName(report, 'math > adds wrong');
    expect(wrong).toMatchObject({ id: 'math adds wrong', file: 'test/math.spec.js', line: 10 });
    // mocha writes message, diff, then the stack that repeats the message: the repeat is dropped.
    expect(wrong.excerpt).toBe(
      'Expected values to be strictly equal:\n\n2 !== 3\n\n      + expected - actual\n\n      -2\n      +3\n    at Context.<anonymous> (test/math.spec.js:10:12)',
    );
    expectTidyExcerpts(report);
  });

  it('names cases by their nested suites', () => {
    const xml = `<?xml version="1.0"?>
<testsuites><testsuite name="outer"><testsuite name="inner &amp; co"><testcase name="works" classname="test"/>
<testcase name="breaks" classname="test"><failure message="no">Error: no\n    at t (/p/x.test.js:3:9)</failure></testcase></testsuite>
<testcase name="top" classname="test"><skipped/></testcase></testsuite></testsuites>`;
    const report = parseJunit(xml, { root: '/p' });
    expect(report.cases.map((testCase) => [testCase.name, testCase.id, testCase.status])).toEqual([
      ['outer > inner & co > works', 'outer inner & co works', 'passed'],
      ['outer > inner & co > breaks', 'outer inner & co breaks', 'failed'],
      ['outer > top', 'outer top', 'skipped'],
    ]);
    expect(byName(report, 'outer > inner & co > breaks')).toMatchObject({ file: 'x.test.js', line: 3, message: 'no' });
  });
});

describe('parseJunit: bad reports', () => {
  const reports = ['pytest-junit.xml', 'node-junit.xml', 'vitest-junit.xml', 'jest-junit.xml', 'mocha-xunit.xml'];

  it.each(reports)('refuses %s cut off half-way', (name) => {
    const xml = fixture(name);
    expect(() => parseJunit(xml.slice(0, Math.floor(xml.length / 2)))).toThrow(/malformed or truncated/);
  });

  it('refuses empty input, plain text and XML that is not JUnit', () => {
    expect(() => parseJunit('')).toThrow(/empty/);
    expect(() => parseJunit('Segmentation fault (core dumped)')).toThrow(/malformed/);
    expect(() => parseJunit('<html><body>502</body></html>')).toThrow(/not a JUnit report/);
    expect(() => parseJunit('<testsuites><testcase name="a"></testsuites>')).toThrow(/malformed/);
  });

  it('refuses a stray "<", a second root and text outside the root', () => {
    expect(() => parseJunit('<testsuites><testcase name="a" <x/></testsuites>')).toThrow(/malformed/);
    expect(() => parseJunit('<testsuite name="a"></testsuite><testsuite name="b"></testsuite>')).toThrow(/second root/);
    expect(() => parseJunit('<testsuites></testsuites> trailing words')).toThrow(/after the root/);
  });

  it('reads entities, CDATA, comments, single-quoted attributes and a declaration', () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!-- written by hand for the reader, not by a runner -->',
      '<testsuites><testsuite name=\'a &amp; b\' tests="2">',
      '<testcase classname="a &amp; b" name="x &lt; y &#x3D; &#61; &quot;z&quot;" file="t.js"/>',
      '<testcase classname="a &amp; b" name="fails" file="t.js"><failure message="expected &apos;1&apos;"><![CDATA[Error: <b>1</b> & 2',
      '    at t.js:3:1]]></failure></testcase>',
      '</testsuite></testsuites>',
    ].join('\n');
    const report = parseJunit(xml);
    expect(report.cases.map((test) => [test.name.split(' > ').at(-1), test.status])).toEqual([
      ['x < y = = "z"', 'passed'],
      ['fails', 'failed'],
    ]);
    expect(report.cases[0]!.name).toMatch(/^a & b > /);
    expect(report.cases[1]).toMatchObject({ message: "expected '1'" });
    expect(report.cases[1]!.excerpt).toContain('Error: <b>1</b> & 2');
  });
});

describe('parseJestJson', () => {
  it('vitest 4.1.12 --reporter=json: root-relative files, line from the stack, a broken file as an error', () => {
    const report = parseJestJson(fixture('vitest.json'), VITEST_ROOT);
    // vitest printed: "Tests  2 failed | 2 passed | 1 skipped | 1 todo (6)".
    expect(stripAnsi(fixture('vitest.txt'))).toContain('Tests  2 failed | 2 passed | 1 skipped | 1 todo (6)');
    expect(report.summary).toEqual({ total: 6, passed: 2, failed: 2, skipped: 2 });
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite > deep equal']);
    expect(byName(report, 'math suite > deep equal')).toMatchObject({
      id: 'math suite deep equal',
      file: 'test/math.test.ts',
      line: 17,
      message: 'AssertionError: expected { a: 1, b: [ 1, 2 ] } to deeply equal { a: 1, b: [ 1, 3 ] }',
    });
    expect(byName(report, 'adds wrong').excerpt).toBe('AssertionError: expected 2 to be 3 // Object.is equality\n    at test/math.test.ts:8:17');
    expect(byName(report, 'todo one').status).toBe('skipped');
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/^test\/broken\.test\.ts: Transform failed with 1 error:\n\n\[PARSE_ERROR\] Unexpected token/);
    expectTidyExcerpts(report);
  });

  it("vitest 0.34.6: the tests' own statuses, not totals that count a skipped test as passed", () => {
    const report = parseJestJson(fixture('vitest-0.34.json'), '/tmp/cap/vitest-0.34');
    expect(stripAnsi(fixture('vitest-0.34.txt'))).toContain('Tests  2 failed | 2 passed | 1 skipped | 1 todo (6)');
    expect(JSON.parse(fixture('vitest-0.34.json'))).toMatchObject({ numTotalTests: 6, numPassedTests: 4, numPendingTests: 0, numTodoTests: 1 });
    expect(report.summary).toEqual({ total: 6, passed: 2, failed: 2, skipped: 2 });
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite > deep equal']);
    expect(byName(report, 'adds wrong')).toMatchObject({ file: 'test/math.test.js', line: 4 });
  });

  it('vitest --includeTaskLocation: the declared line of tests that did not fail', () => {
    const report = parseJestJson(fixture('vitest-location.json'), VITEST_ROOT);
    expect(byName(report, 'adds').line).toBe(3);
    expect(byName(report, 'skipped one').line).toBe(11);
    expect(byName(report, 'adds wrong').line).toBe(8);
  });

  it('jest 29.7.0 --json --testLocationInResults: totals, the test-file frame, suite errors', () => {
    const report = parseJestJson(fixture('jest.json'), JEST_ROOT);
    expect(fixture('jest.txt')).toContain('Tests:       3 failed, 1 skipped, 1 todo, 2 passed, 7 total');
    expect(report.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(failedNames(report)).toEqual(['adds wrong', 'math suite > deep equal', 'throws inside source']);
    const deep = byName(report, 'math suite > deep equal');
    expect(deep).toMatchObject({ file: '__tests__/math.test.js', line: 17, message: 'Error: expect(received).toEqual(expected) // deep equality' });
    expect(deep.excerpt).toContain('-     3,\n+     2,');
    // The throw is in math.js, but the line reported is the test's own.
    expect(byName(report, 'throws inside source')).toMatchObject({ file: '__tests__/thrower.test.js', line: 3 });
    expect(byName(report, 'adds').line).toBe(3);
    expect(report.errors).toEqual([expect.stringMatching(/^__tests__\/broken\.test\.js: Cannot find module '\.\.\/does-not-exist' from/)]);
    expectTidyExcerpts(report);
  });

  it('refuses truncated or foreign JSON', () => {
    const json = fixture('jest.json');
    expect(() => parseJestJson(json.slice(0, 2000), JEST_ROOT)).toThrow(/malformed or truncated/);
    expect(() => parseJestJson('', JEST_ROOT)).toThrow(/malformed or truncated/);
    expect(() => parseJestJson('{"stats":{}}', JEST_ROOT)).toThrow(/not a Jest\/vitest JSON report/);
  });
});

describe('parseMochaJson (mocha 11.8.0 --reporter json)', () => {
  it('finds the report after console output on stdout', () => {
    const stdout = fixture('mocha-stdout.txt');
    expect(stdout.startsWith('some chatter from a test\n{')).toBe(true);
    const report = parseMochaJson(stdout, MOCHA_ROOT);
    expect(report.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(failedNames(report)).toEqual(['root level throws', 'math > adds wrong', 'math nested & <deep> > deep equal']);
    expect(byName(report, 'math > adds wrong')).toMatchObject({
      id: 'math adds wrong',
      file: 'test/math.spec.js',
      line: 10,
      message: 'Expected values to be strictly equal:',
      excerpt: 'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n2 !== 3\n    at Context.<anonymous> (test/math.spec.js:10:12)',
    });
    expect(byName(report, 'math > pending without body').status).toBe('skipped');
    expectTidyExcerpts(report);
  });

  it('reads the --reporter-option output=FILE report the same way', () => {
    const fromFile = parseMochaJson(fixture('mocha.json'), MOCHA_ROOT);
    const fromStdout = parseMochaJson(fixture('mocha-stdout.txt'), MOCHA_ROOT);
    const withoutTimes = (report: ParsedReport) => report.cases.map(({ durationMs: _, ...rest }) => rest);
    expect(withoutTimes(fromFile)).toEqual(withoutTimes(fromStdout));
    expect(fromFile.summary).toEqual(fromStdout.summary);
  });

  it('reports a failing hook, which mocha lists in failures only', () => {
    // mocha printed: "1 passing", "2 failing".
    const report = parseMochaJson(fixture('mocha-hook-failure.json'), '/tmp/cap/js/mocha2');
    expect(report.summary).toEqual({ total: 3, passed: 1, failed: 2, skipped: 0 });
    expect(byName(report, 'with hook > "before each" hook for "never runs"')).toMatchObject({ status: 'failed', message: 'setup broke', line: 4 });
  });

  it('tolerates output after the report and refuses a truncated one', () => {
    const report = fixture('mocha.json');
    expect(parseMochaJson(`npm notice\n${report}\nDone in 2s\n`, MOCHA_ROOT).summary.total).toBe(7);
    // A test that logs a pretty-printed object puts a `{` line of its own before the report.
    const logged = JSON.stringify({ user: { id: 1 } }, null, 2);
    expect(parseMochaJson(`${logged}\n${report}`, MOCHA_ROOT).summary.total).toBe(7);
    expect(() => parseMochaJson(report.slice(0, 1500), MOCHA_ROOT)).toThrow(/malformed or truncated/);
    expect(() => parseMochaJson('', MOCHA_ROOT)).toThrow(/empty/);
  });
});

describe('parseCargoTest (cargo 1.95.0, RUST_BACKTRACE=1)', () => {
  it('sums the test result lines of every binary and reads the failures section', () => {
    const output = fixture('cargo.txt');
    const results = [...output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/gm)];
    expect(results.map((match) => match.slice(1).join('/'))).toEqual(['1/2/1', '1/1/0', '1/1/0']);
    const report = parseCargoTest(output);
    expect(report.summary).toEqual({ total: 8, passed: 3, failed: 4, skipped: 1 });
    expect(report.errors).toEqual([]);
    expect(failedNames(report)).toEqual(['tests::adds_wrong', 'tests::nested::panics', 'integration_fails', 'src/lib.rs - doc_fails (line 12)']);
    expect(byName(report, 'tests::adds_wrong')).toMatchObject({
      id: 'tests::adds_wrong',
      file: 'src/lib.rs',
      line: 29,
      message: 'assertion `left == right` failed: one & one is two',
      excerpt: "thread 'tests::adds_wrong' (1768) panicked at src/lib.rs:29:9:\nassertion `left == right` failed: one & one is two\n  left: 2\n right: 3",
    });
    expect(byName(report, 'integration_fails')).toMatchObject({ file: 'tests/integration.rs', line: 8 });
    expect(byName(report, 'integration_ok')).toMatchObject({ file: 'tests/integration.rs', status: 'passed' });
    // A doc-test panics in a generated file: its name says where it is.
    expect(byName(report, 'src/lib.rs - doc_fails (line 12)')).toMatchObject({ file: 'src/lib.rs', line: 12, message: 'assertion `left == right` failed' });
    expect(byName(report, 'tests::ignored_one').status).toBe('skipped');
  });

  it('names the failures of `cargo test -q`, which prints dots instead of test lines', () => {
    // The same run as cargo.txt with the per-test lines folded into dots, as `-q` prints them.
    const quiet = fixture('cargo.txt').replace(/^running (\d+) tests?\n(?:test .*\n)+/gm, 'running $1 tests\n.iFF\n');
    expect(quiet).not.toMatch(/^test tests::adds /m);
    const report = parseCargoTest(quiet);
    expect(report.summary).toEqual({ total: 8, passed: 3, failed: 4, skipped: 1 });
    expect(failedNames(report)).toEqual(['tests::adds_wrong', 'tests::nested::panics', 'integration_fails', 'src/lib.rs - doc_fails (line 12)']);
    expect(byName(report, 'integration_fails')).toMatchObject({ file: 'tests/integration.rs', line: 8 });
  });

  it('reports compile errors', () => {
    const report = parseCargoTest(fixture('cargo-compile-error.txt'));
    expect(report.cases).toEqual([]);
    expect(report.errors[0]).toBe(
      'error[E0425]: cannot find value `undefined_thing` in this scope\n  --> src/lib.rs:23:31\n   |\n23 |         assert_eq!(add(1, 1), undefined_thing);\n   |                               ^^^^^^^^^^^^^^^ not found in this scope',
    );
    expect(report.errors[1]).toMatch(/^error: could not compile `capcrate`/);
  });

  it("reads the panic format of rust before 1.73 (written by hand after rustc's format)", () => {
    const output = [
      'running 1 test',
      'test tests::old ... FAILED',
      '',
      'failures:',
      '',
      '---- tests::old stdout ----',
      "thread 'tests::old' panicked at 'assertion failed: `(left == right)`",
      '  left: `2`,',
      " right: `3`', src/lib.rs:12:9",
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
      '',
      'failures:',
      '    tests::old',
      '',
      'test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
    ].join('\n');
    expect(parseCargoTest(output).cases[0]).toMatchObject({
      file: 'src/lib.rs',
      line: 12,
      message: 'assertion failed: `(left == right)`',
      excerpt: 'panicked at src/lib.rs:12:9:\nassertion failed: `(left == right)`\n  left: `2`,\n right: `3`',
    });
  });
});

describe('parseTextSummary', () => {
  it('vitest 4 default reporter', () => {
    const report = parseTextSummary(fixture('vitest.txt'))!;
    expect(report.summary).toEqual({ total: 6, passed: 2, failed: 2, skipped: 2 });
    expect(report.cases.map((testCase) => [testCase.name, testCase.file, testCase.line])).toEqual([
      ['adds wrong', 'test/math.test.ts', 8],
      ['math suite > deep equal', 'test/math.test.ts', 17],
    ]);
    expect(report.errors).toEqual([expect.stringMatching(/^test\/broken\.test\.ts: Error: Transform failed/)]);
  });

  it('jest 29 default reporter', () => {
    const report = parseTextSummary(fixture('jest.txt'))!;
    expect(report.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(report.cases.map((testCase) => [testCase.name, testCase.file, testCase.line])).toEqual([
      ['adds wrong', '__tests__/math.test.js', 8],
      ['math suite > deep equal', '__tests__/math.test.js', 17],
      ['throws inside source', '__tests__/thrower.test.js', 3],
    ]);
    expect(report.errors).toEqual([expect.stringMatching(/^__tests__\/broken\.test\.js: Cannot find module/)]);
  });

  it('mocha spec reporter, with multi-line numbered failures', () => {
    const report = parseTextSummary(fixture('mocha-spec.txt'))!;
    expect(report.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(report.cases.map((testCase) => [testCase.name, testCase.id, testCase.line])).toEqual([
      ['root level throws', 'root level throws', 26],
      ['math > adds wrong', 'math adds wrong', 10],
      ['math > nested & <deep> > deep equal', 'math nested & <deep> deep equal', 19],
    ]);
  });

  it('node:test spec and tap reporters', () => {
    const spec = parseTextSummary(fixture('node-spec.txt'))!;
    expect(spec.summary).toEqual({ total: 7, passed: 2, failed: 3, skipped: 2 });
    expect(spec.cases.map((testCase) => [testCase.name, testCase.file, testCase.line])).toEqual([
      ['adds wrong', 'test/math.test.mjs', 9],
      ['deep equal', 'test/math.test.mjs', 18],
      ['throws', 'test/math.test.mjs', 24],
    ]);
    const tap = parseTextSummary(fixture('node-tap.txt'))!;
    expect(tap.summary).toEqual(spec.summary);
    // The suite "math suite" failed only through its test: not listed.
    expect(tap.cases.map((testCase) => [testCase.name, testCase.message])).toEqual([
      ['adds wrong', 'one & one <is> two'],
      ['deep equal', 'Expected values to be strictly deep-equal:'],
      ['throws', 'boom'],
    ]);
  });

  it('pytest, with and without -q, and a collection error', () => {
    const report = parseTextSummary(fixture('pytest.txt'))!;
    expect(report.summary).toEqual({ total: 6, passed: 2, failed: 3, skipped: 1 });
    expect(report.cases.map((testCase) => testCase.id)).toEqual([
      'tests/test_math.py::test_add_wrong',
      'tests/test_math.py::TestOps::test_div',
      'tests/test_math.py::test_uses_broken',
    ]);
    expect(byName(report, 'tests/test_math.py::test_add_wrong')).toMatchObject({ file: 'tests/test_math.py', message: 'AssertionError: two & two <is> four' });
    expect(parseTextSummary('..s\n3 passed, 1 skipped, 2 warnings in 0.05s\n')!.summary).toEqual({ total: 4, passed: 3, failed: 0, skipped: 1 });
    const broken = parseTextSummary(fixture('pytest-collect-error.txt'))!;
    expect(broken.errors).toEqual(['tests/test_bad.py: collection failed']);
    expect(broken.summary.failed).toBe(1);
  });

  it('cargo: every binary', () => {
    expect(parseTextSummary(fixture('cargo.txt'))!.summary).toEqual({ total: 8, passed: 3, failed: 4, skipped: 1 });
  });

  it('a generic "N passed, N failed" line, and nothing at all', () => {
    expect(parseTextSummary('running…\nResults: 12 passed, 1 failed, 2 skipped, 15 total\n')!.summary).toEqual({
      total: 15,
      passed: 12,
      failed: 1,
      skipped: 2,
    });
    expect(parseTextSummary('Segmentation fault (core dumped)\n')).toBeUndefined();
    expect(parseTextSummary('')).toBeUndefined();
  });
});

describe('reports written by the runners during this test', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-parse-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('node --test --test-reporter=junit', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'test'));
    writeFileSync(
      join(dir, 'test/a.test.mjs'),
      [
        "import { test, describe } from 'node:test';",
        "import assert from 'node:assert/strict';",
        "test('ok', () => {});",
        "test('skip me', { skip: true }, () => {});",
        "describe('group', () => { test('bad <one>', () => { assert.equal(1, 2); }); });",
        '',
      ].join('\n'),
    );
    spawnSync(process.execPath, ['--test', '--test-reporter=junit', '--test-reporter-destination=report.xml', 'test/'], { cwd: dir });
    const xml = readFileSync(join(dir, 'report.xml'), 'utf8');
    const report = parseJunit(xml, { root: dir });
    const totals = nodeTotals(xml);
    expect(report.summary).toEqual({ total: totals.tests, passed: totals.pass, failed: totals.fail, skipped: totals.skipped! + totals.todo! });
    expect(report.summary).toEqual({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(byName(report, 'group > bad <one>')).toMatchObject({ file: 'test/a.test.mjs', line: 5, status: 'failed' });
  });

  const pytest = spawnSync('python3', ['-m', 'pytest', '--version'], { encoding: 'utf8' });
  it.skipIf(pytest.status !== 0)('python3 -m pytest --junitxml (skipped when pytest is missing)', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests/__init__.py'), '');
    const source = ['import pytest', 'def test_ok():', '    assert True', 'def test_bad():', '    assert 1 == 2'];
    source.push('@pytest.mark.skip', 'def test_skip():', '    pass', '');
    writeFileSync(join(dir, 'tests/test_live.py'), source.join('\n'));
    const run = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml=report.xml'], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout).toMatch(/1 failed, 1 passed, 1 skipped/);
    const report = parseJunit(readFileSync(join(dir, 'report.xml'), 'utf8'), { root: dir });
    expect(report.summary).toEqual({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(byName(report, 'tests/test_live.py::test_bad')).toMatchObject({ line: 5, message: 'assert 1 == 2' });
    expect(parseTextSummary(run.stdout)!.summary).toEqual(report.summary);
  });
});
