/**
 * The go runner's reading of real `go test -json` output: a module made here and run by the go
 * that is installed (.ci/run installs Debian's golang-go), nothing written by hand.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTextSummary } from '../../src/tools/run-tests/parse/text.js';
import { go } from '../../src/tools/run-tests/runners/go.js';
import type { RunRequest } from '../../src/tools/run-tests/runners/runner.js';
import type { TestCase } from '../../src/tools/run-tests/types.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

const hasGo = spawnSync('go', ['version']).status === 0;
if (!hasGo) console.warn('run-tests: go is not installed here (.ci/run installs golang-go), so the go runner tests are skipped');

const MODULE = {
  'go.mod': 'module example.com/calc\n\ngo 1.19\n',
  'calc.go': 'package calc\n\n// Add is the code under test.\nfunc Add(a, b int) int { return a + b }\n',
  'calc_test.go': [
    'package calc',
    '',
    'import "testing"',
    '',
    'func TestAdd(t *testing.T) {',
    '\tif Add(2, 2) != 4 {',
    '\t\tt.Fatal("wrong")',
    '\t}',
    '}',
    '',
    'func TestAddWrong(t *testing.T) {',
    '\tif got := Add(2, 2); got != 5 {',
    '\t\tt.Errorf("Add(2, 2) = %d, want 5", got)', // line 13
    '\t}',
    '}',
    '',
    'func TestSkipped(t *testing.T) {',
    '\tt.Skip("not today")',
    '}',
    '',
    'func TestTable(t *testing.T) {',
    '\tfor _, c := range []struct {',
    '\t\tname       string',
    '\t\ta, b, want int',
    '\t}{{"zero", 0, 0, 0}, {"negative", -1, -1, -3}} {',
    '\t\tt.Run(c.name, func(t *testing.T) {',
    '\t\t\tif got := Add(c.a, c.b); got != c.want {',
    '\t\t\t\tt.Errorf("Add(%d, %d) = %d, want %d", c.a, c.b, got, c.want)', // line 28
    '\t\t\t}',
    '\t\t})',
    '\t}',
    '}',
    '',
    'func TestDeep(t *testing.T) {',
    '\tt.Run("b", func(t *testing.T) {',
    '\t\tt.Run("c", func(t *testing.T) {',
    '\t\t\tt.Error("no")', // line 37
    '\t\t})',
    '\t})',
    '}',
    '',
  ].join('\n'),
  'broken/broken.go': 'package broken\n\n// Mul is here so the package builds; its test does not.\nfunc Mul(a, b int) int { return a * b }\n',
  'broken/broken_test.go': 'package broken\n\nimport "testing"\n\nfunc TestSub(t *testing.T) {\n\tif Sub(2, 1) != 1 {\n\t\tt.Fail()\n\t}\n}\n',
  'cmd/main.go': 'package main\n\nfunc main() {}\n',
  'crash/crash_test.go': [
    'package crash',
    '',
    'import (',
    '\t"testing"',
    '\t"time"',
    ')',
    '',
    'func TestSlow(t *testing.T) {',
    '\tt.Parallel()',
    '\ttime.Sleep(time.Second)',
    '}',
    '',
    'func TestPanic(t *testing.T) {',
    '\tvar m map[string]int',
    '\tm["x"] = 1', // line 15
    '}',
    '',
  ].join('\n'),
};

describe.skipIf(!hasGo)('go runner on real `go test -json` output', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let request: RunRequest;
  let cases: TestCase[];
  let report: ReturnType<typeof go.parse>;

  beforeAll(async () => {
    dir = await tempDir();
    const root = dir.path;
    const moduleDir = join(root, 'svc');
    await writeFiles(moduleDir, MODULE);
    request = { root, dir: moduleDir, files: [], reportDir: root, packageManager: 'npm' };
    const invocation = await go.invocation(request);
    // As run-tests runs it: stdout and stderr into one file, in the order written.
    const outputFile = join(root, 'go-test.log');
    const fd = openSync(outputFile, 'w');
    const run = spawnSync(invocation.file, invocation.args, {
      cwd: invocation.cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod' },
    });
    closeSync(fd);
    expect(run.status).not.toBe(0);
    expect(invocation.reportInOutput).toBe(true);
    const output = readFileSync(outputFile, 'utf8');
    report = go.parse(output, output, request);
    cases = report.cases;
  }, 180_000);
  afterAll(() => dir?.cleanup());

  const byName = (name: string): TestCase => {
    const found = cases.find((test) => test.name === name);
    if (!found) throw new Error(`no case ${name} in ${cases.map((test) => test.name).join(', ')}`);
    return found;
  };

  it('counts leaf tests: a parent that failed because a subtest did is not counted again', () => {
    expect(report.source).toBe('json');
    expect(cases.map((test) => test.name).sort()).toEqual(
      ['TestAdd', 'TestAddWrong', 'TestSkipped', 'TestTable/zero', 'TestTable/negative', 'TestDeep/b/c', 'TestPanic', 'TestSlow'].sort(),
    );
    expect(report.summary).toEqual({ total: 8, passed: 2, failed: 5, skipped: 1 });
  });

  it('names a failure with its test file (root-relative) and line, and its package for re-running', () => {
    expect(byName('TestAddWrong')).toMatchObject({
      status: 'failed',
      file: 'svc/calc_test.go',
      line: 13,
      message: 'calc_test.go:13: Add(2, 2) = 4, want 5',
      package: 'example.com/calc',
    });
    expect(byName('TestTable/negative')).toMatchObject({ file: 'svc/calc_test.go', line: 28 });
    expect(byName('TestDeep/b/c')).toMatchObject({ file: 'svc/calc_test.go', line: 37 });
    expect(byName('TestAdd')).toMatchObject({ status: 'passed', file: 'svc', package: 'example.com/calc' });
  });

  it('reads a panic, and a test that was still running when the binary died', () => {
    expect(byName('TestPanic')).toMatchObject({ status: 'failed', file: 'svc/crash/crash_test.go', line: 15 });
    expect(byName('TestPanic').message).toMatch(/assignment to entry in nil map/);
    expect(byName('TestSlow')).toMatchObject({ status: 'failed', message: 'did not finish' });
  });

  it('reports a package whose tests do not build, with the compiler error (printed as text before go 1.24)', () => {
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/^example\.com\/calc\/broken: /);
    expect(report.errors[0]).toMatch(/broken_test\.go:6:\d+: undefined: Sub/);
  });

  it('reads the text of plain `go test` (a script or a command that runs it): failures by name, line and message', () => {
    const run = spawnSync('go', ['test', './...'], { cwd: request.dir, encoding: 'utf8', env: { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod' } });
    const text = parseTextSummary(`${run.stdout}\n${run.stderr}`)!;
    expect(text.cases.map((test) => [test.name, test.status, test.line])).toEqual([
      ['TestAddWrong', 'failed', 13],
      ['TestTable/negative', 'failed', 28],
      ['TestDeep/b/c', 'failed', 37],
      ['TestPanic', 'failed', undefined],
    ]);
    expect(text.cases[0]!.message).toBe('calc_test.go:13: Add(2, 2) = 4, want 5');
    expect(text.errors).toEqual([expect.stringMatching(/^example\.com\/calc\/broken: build failed\nbroken\/broken_test\.go:6:\d+: undefined: Sub$/)]);
  });

  it('onlyFailed runs the failed names anchored, in their packages only', async () => {
    const only = cases.filter((test) => test.name === 'TestAddWrong' || test.name === 'TestPanic');
    const invocation = await go.invocation({ ...request, only });
    // The order is that of go's output, which runs packages in parallel.
    const [test, json, run, ...packages] = invocation.args;
    expect([test, json]).toEqual(['test', '-json']);
    expect(run).toMatch(/^-run=\^\((TestAddWrong\|TestPanic|TestPanic\|TestAddWrong)\)\$$/);
    expect(packages.sort()).toEqual(['.', './crash']);
  });
});
