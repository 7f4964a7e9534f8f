import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runTests } from '../../src/tools/run-tests/run.js';
import { RunTestsInput, type RunTestsOutput } from '../../src/tools/run-tests/schema.js';
import { toolContext } from '../helpers/context.js';
import { tempDir } from '../helpers/repo.js';
import { CORPUS, type CorpusProject, type Counts, hasProgram } from './projects.js';

/**
 * Real projects (test/corpus/projects.ts: npm tarballs, Debian binary and source packages, pinned,
 * cached outside the repository): Baton's counts must equal those of the project's own test
 * command, on the project as published and with one injected failure, which Baton must name with
 * its file and line and re-run alone with onlyFailed. Run with `npm run test:corpus` (needs the
 * npm registry and Debian's mirror the first time). A project whose toolchain is missing is
 * skipped with the reason printed.
 */

// Nothing leaves the machine: go resolves modules from the checkout only.
process.env.GOPROXY = 'off';
process.env.GOFLAGS = '-mod=mod';

const rows: string[] = [];

afterAll(() => {
  if (!rows.length) return;
  console.log(
    [
      '| project | runner | own command | Baton ran | own total/passed/failed/skipped | Baton | own, injected | Baton, injected | failure named | onlyFailed exact | time own / Baton |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
});

const counts = (c: Counts): string => `${c.total}/${c.passed}/${c.failed}/${c.skipped}`;

for (const project of CORPUS) {
  const missing = project.needs && !hasProgram(project.needs) ? project.needs : undefined;
  if (missing) console.warn(`corpus: ${project.name} skipped: "${missing}" is not installed (.ci/run installs it)`);
  describe.skipIf(missing !== undefined)(`corpus: ${project.name}`, () => {
    let root: string;
    let state: Awaited<ReturnType<typeof tempDir>>;
    const row: Record<string, string> = {};
    const run = async (input: Partial<RunTestsInput> = {}): Promise<RunTestsOutput> =>
      runTests(
        RunTestsInput.parse({ waitSec: 600, ...(project.path ? { path: project.path } : {}), ...input }),
        await toolContext(root, state.path, loadConfig({}, {})),
      );

    beforeAll(async () => {
      root = project.prepare();
      state = await tempDir();
    }, 600_000);
    afterAll(async () => {
      if (root) execFileSync('git', ['checkout', '--', '.'], { cwd: root });
      await state?.cleanup();
      rows.push(
        `| ${project.name} | ${project.runner} | \`${project.own}\` | \`${row.command ?? ''}\` | ${row.own ?? ''} | ${row.baton ?? ''} | ${row.ownInjected ?? ''} | ${row.batonInjected ?? ''} | ${row.named ?? 'no'} | ${row.exact ?? 'no'} | ${row.time ?? ''} |`,
      );
    });

    it("counts equal the project's own command's, as published", async () => {
      let started = performance.now();
      const result = await run();
      const batonMs = performance.now() - started;
      started = performance.now();
      const own = ownCounts(project, root);
      const ownMs = performance.now() - started;
      row.command = result.command.map((word, i) => (i === 0 ? word.replace(/^.*\//, '') : word.replace(/\/tmp\/baton-run-tests-[^/]+\//, '$TMP/'))).join(' ');
      row.own = counts(own);
      row.baton = counts(result.summary);
      row.time = `${(ownMs / 1000).toFixed(1)} s / ${(batonMs / 1000).toFixed(1)} s`;
      expect(result.summary).toEqual(own);
      // Every mocha, 3 to 11, leaves Baton its JSON report (an old one through Baton's reporter).
      if (project.runner === 'mocha') expect(result.reportSource).toBe('json');
    }, 600_000);

    it('one injected failure: the same counts, named with file and line, and onlyFailed re-runs it alone', async () => {
      inject(project, root);
      const result = await run();
      const own = ownCounts(project, root);
      row.ownInjected = counts(own);
      row.batonInjected = counts(result.summary);
      expect(result.summary).toEqual(own);
      const failure = result.failures.find((f) => f.name === project.failure);
      expect(failure, JSON.stringify(result.failures.map((f) => f.name))).toBeDefined();
      expect(failure).toMatchObject({ file: project.inject.file, line: expect.any(Number) });
      row.named = `yes (${failure!.file}:${failure!.line})`;
      // Exactly the failed tests of that run: the injected one, and any the project already had
      // (a file that fails to load is no test to re-run).
      const again = await run({ onlyFailed: true });
      const failedTests = (output: RunTestsOutput): string[] =>
        output.failures
          .map((f) => f.name)
          .filter((name) => name !== 'error outside any test')
          .sort();
      expect(again.summary).toEqual({ total: result.summary.failed, passed: 0, failed: result.summary.failed, skipped: 0 });
      expect(failedTests(again)).toEqual(failedTests(result));
      row.exact = `yes (\`${again.command
        .slice(1)
        .join(' ')
        .replace(/\/tmp\/baton-run-tests-[^/]+\//g, '$TMP/')}\`)`;
      execFileSync('git', ['checkout', '--', '.'], { cwd: root });
    }, 600_000);
  });
}

function inject(project: CorpusProject, root: string): void {
  const file = join(root, project.inject.file);
  if (project.inject.append) appendFileSync(file, project.inject.append);
  if (project.inject.replace) {
    const [from, to] = project.inject.replace;
    const text = readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${project.inject.file} has no "${from}"`);
    writeFileSync(file, text.replace(from, to));
  }
}

/** Runs the project's own command through sh, as its scripts would, and reads the runner's own summary. */
function ownCounts(project: CorpusProject, root: string): Counts {
  const cwd = join(root, project.path);
  // go test prints no totals: its verbose mode names every test's verdict.
  const command = project.runner === 'go' ? project.own.replace(/^go test/, 'go test -v') : project.own;
  const result = spawnSync('sh', ['-c', command], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: {
      ...process.env,
      PATH: `${join(cwd, 'node_modules', '.bin')}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const parsed = SUMMARIES[project.runner](output);
  if (!parsed) throw new Error(`${project.name}: no summary in the output of "${command}":\n${output.slice(-3000)}`);
  return parsed;
}

const number = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);

function counted(passed: number, failed: number, skipped: number): Counts {
  return { total: passed + failed + skipped, passed, failed, skipped };
}

/** Each runner's own closing summary, read from its default output. */
const SUMMARIES: Record<CorpusProject['runner'], (output: string) => Counts | undefined> = {
  mocha(output) {
    if (!/\d+ passing/.test(output)) return undefined;
    return counted(number(output, /(\d+) passing/), number(output, /(\d+) failing/), number(output, /(\d+) pending/));
  },
  jest(output) {
    const line = /^Tests:\s+(.*)$/m.exec(output)?.[1];
    if (!line) return undefined;
    return counted(number(line, /(\d+) passed/), number(line, /(\d+) failed/), number(line, /(\d+) skipped/) + number(line, /(\d+) todo/));
  },
  vitest(output) {
    const line = /^\s*Tests\s+(.*\(\d+\))\s*$/m.exec(output)?.[1];
    if (!line) return undefined;
    return counted(number(line, /(\d+) passed/), number(line, /(\d+) failed/), number(line, /(\d+) skipped/) + number(line, /(\d+) todo/));
  },
  node(output) {
    if (!/^# tests \d+/m.test(output)) return undefined;
    return counted(number(output, /^# pass (\d+)/m), number(output, /^# fail (\d+)/m), number(output, /^# skipped (\d+)/m) + number(output, /^# todo (\d+)/m));
  },
  pytest(output) {
    const line = /^=+ (.*\d+ (?:passed|failed|skipped|errors?).*) in [\d.]+s/m.exec(output)?.[1];
    if (!line) return undefined;
    return counted(
      number(line, /(\d+) passed/) + number(line, /(\d+) xpassed/),
      number(line, /(\d+) failed/),
      number(line, /(\d+) skipped/) + number(line, /(\d+) xfailed/),
    );
  },
  cargo(output) {
    const results = [...output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)];
    if (!results.length) return undefined;
    const sum = (i: number): number => results.reduce((total, match) => total + Number(match[i]), 0);
    return counted(sum(1), sum(2), sum(3));
  },
  go(output) {
    // Every verdict line of `go test -v`, per package; a test with subtests counts as its subtests.
    const verdicts = new Map<string, string>();
    let pkg = '';
    const lines = output.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (/^(ok|FAIL)\s+\S+\s/.test(line)) pkg = line.split(/\s+/)[1]!;
      const verdict = /^\s*--- (PASS|FAIL|SKIP): (\S+) \(/.exec(line);
      if (verdict) verdicts.set(`${pkg}\t${verdict[2]}`, verdict[1]!);
    }
    if (!verdicts.size) return undefined;
    const names = [...verdicts.keys()];
    const leaves = names.filter((name) => !names.some((other) => other.startsWith(`${name}/`)));
    const of = (status: string): number => leaves.filter((name) => verdicts.get(name) === status).length;
    return counted(of('PASS'), of('FAIL'), of('SKIP'));
  },
};
