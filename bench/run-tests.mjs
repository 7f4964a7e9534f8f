// run-tests overhead: the same suites of 1000+ tests run directly and through Baton (an MCP
// tools/call on a warm server), interleaved in one run. Target: Baton adds under 10 % to the
// runner's own time, for every runner. The direct command is the runner as a user types it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_CLI, median, ms, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILES = 50;
const TESTS = 20;

function project(dir, c) {
  mkdirSync(dir, { recursive: true });
  if (c.pkg) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true, ...c.pkg }));
  for (const [path, content] of Object.entries(c.files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  if (c.pkg) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

/** `count` files of TESTS small tests each, in the runner's own style. */
function suite(makeFile, count = FILES) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => makeFile(i)));
}
const each = (line) => Array.from({ length: TESTS }, (_, j) => line(j)).join('\n');

const has = (file, args) => spawnSync(file, args, { stdio: 'ignore' }).status === 0;
const skipped = [];

const cases = [
  {
    name: 'vitest',
    pkg: { type: 'module', devDependencies: { vitest: '*' } },
    files: suite((i) => [`src/t${i}.test.ts`, `import { it, expect } from 'vitest';\n${each((j) => `it('t${j}', () => expect(${j} + 1).toBe(${j + 1}));`)}\n`]),
    direct: (dir) => [join(dir, 'node_modules/.bin/vitest'), ['run']],
  },
  {
    name: 'jest',
    pkg: { devDependencies: { jest: '*' } },
    files: suite((i) => [`t${i}.test.js`, `${each((j) => `test('t${j}', () => expect(${j} + 1).toBe(${j + 1}));`)}\n`]),
    direct: (dir) => [join(dir, 'node_modules/.bin/jest'), ['--ci']],
  },
  {
    name: 'mocha',
    pkg: { scripts: { test: 'mocha test/' }, devDependencies: { mocha: '*' } },
    files: suite((i) => [
      `test/t${i}.test.js`,
      `const assert = require('node:assert');\ndescribe('f${i}', () => {\n${each((j) => `  it('t${j}', () => assert.strictEqual(${j} + 1, ${j + 1}));`)}\n});\n`,
    ]),
    direct: (dir) => [join(dir, 'node_modules/.bin/mocha'), ['test/']],
  },
  {
    name: 'node --test',
    pkg: { type: 'module', scripts: { test: 'node --test' } },
    files: suite((i) => [
      `test/t${i}.test.js`,
      `import test from 'node:test';\nimport assert from 'node:assert';\n${each((j) => `test('t${j}', () => assert.strictEqual(${j} + 1, ${j + 1}));`)}\n`,
    ]),
    direct: () => [process.execPath, ['--test']],
  },
];

if (has('python3', ['-m', 'pytest', '--version'])) {
  cases.push({
    name: 'pytest',
    files: {
      'pytest.ini': '[pytest]\n',
      ...suite((i) => [`tests/test_t${i}.py`, Array.from({ length: 2 * TESTS }, (_, j) => `def test_t${j}():\n    assert ${j} + 1 == ${j + 1}\n`).join('\n')]),
    },
    direct: () => ['python3', ['-m', 'pytest']],
  });
} else skipped.push(['pytest', 'skipped: python3 -m pytest is not available']);

if (has('cargo', ['--version'])) {
  cases.push({
    name: 'cargo',
    files: {
      'Cargo.toml': '[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
      'src/lib.rs': 'pub fn add(a: u64, b: u64) -> u64 { a + b }\n',
      ...suite(
        (i) => [`tests/t${i}.rs`, Array.from({ length: 100 }, (_, j) => `#[test]\nfn t${j}() { assert_eq!(bench::add(${j}, 1), ${j + 1}); }\n`).join('')],
        10,
      ),
    },
    direct: () => ['cargo', ['test']],
    // Built once before timing: the comparison is of running the tests, not of compiling them.
    warm: () => ['cargo', ['test', '--no-run']],
  });
} else skipped.push(['cargo', 'skipped: cargo is not installed']);

if (has('go', ['version'])) {
  cases.push({
    name: 'go',
    files: {
      'go.mod': 'module example.com/bench\n\ngo 1.19\n',
      ...suite(
        (i) => [
          `p${i}/p_test.go`,
          `package p${i}\n\nimport "testing"\n\n${Array.from({ length: 100 }, (_, j) => `func TestT${j}(t *testing.T) {\n\tif ${j}+1 != ${j + 1} {\n\t\tt.Fatal("math")\n\t}\n}\n`).join('\n')}`,
        ],
        10,
      ),
    },
    direct: () => ['go', ['test', './...']],
    warm: () => ['go', ['test', '-count=1', './...']],
  });
} else skipped.push(['go', 'skipped: go is not installed (apt-get install golang-go)']);

/**
 * CPU seconds a process and its reaped children used (/proc/PID/stat utime, stime, cutime,
 * cstime): on a loaded machine wall time mostly measures the neighbours, CPU time much less.
 */
function cpuSeconds(pid = 'self') {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

// go caches test results: every run, direct or through Baton, runs the tests again.
const RUN_ENV = { CI: 'true', GOFLAGS: '-count=1', GOPROXY: 'off' };

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-tests-'));
  const rows = [];
  try {
    // BENCH_SUITES=pytest,jest runs only the suites whose names start with one of these.
    const only = process.env.BENCH_SUITES?.split(',');
    for (const c of cases.filter((c) => !only || only.some((prefix) => c.name.startsWith(prefix)))) {
      const dir = join(work, c.name.replace(/\W/g, ''));
      project(dir, c);
      const env = { ...process.env, ...RUN_ENV };
      if (c.warm) {
        const [file, args] = c.warm(dir);
        const warmed = spawnSync(file, args, { cwd: dir, env, encoding: 'utf8' });
        if (warmed.status !== 0) throw new Error(`${c.name} warm-up: ${warmed.stdout}${warmed.stderr}`);
      }
      const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', dir, '--state-dir', join(work, 'state')], RUN_ENV);
      await rpc.initialize();
      const direct = [];
      const baton = [];
      const directCpus = [];
      const batonCpus = [];
      let total = 0;
      try {
        for (let i = 0; i < RUNS + 1; i++) {
          const [file, args] = c.direct(dir);
          let cpu = cpuSeconds();
          let started = performance.now();
          const result = spawnSync(file, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
          if (result.status !== 0) throw new Error(`${c.name} direct: ${result.stdout}${result.stderr}`);
          const directMs = performance.now() - started;
          const directCpu = cpuSeconds() - cpu;
          cpu = cpuSeconds(rpc.child.pid);
          started = performance.now();
          const reply = (await rpc.request('tools/call', { name: 'run-tests', arguments: { waitSec: 600 } })).message.result;
          const batonMs = performance.now() - started;
          const batonCpu = cpuSeconds(rpc.child.pid) - cpu;
          if (reply.isError || reply.structuredContent.status !== 'passed') throw new Error(`${c.name} via Baton: ${reply.content[0].text.slice(0, 800)}`);
          total = reply.structuredContent.summary.total;
          if (i === 0) continue; // warm-up: caches, JIT, the first tokenizer load
          direct.push(directMs);
          baton.push(batonMs);
          directCpus.push(directCpu);
          batonCpus.push(batonCpu);
        }
      } finally {
        await rpc.close();
      }
      const d = median(direct);
      const b = median(baton);
      const dc = median(directCpus);
      const bc = median(batonCpus);
      const percent = (value, base) => `${(((value - base) / base) * 100).toFixed(1)} %`;
      const command = `${c.direct(dir)[0].replace(/^.*\//, '')} ${c.direct(dir)[1].join(' ')}`;
      rows.push([c.name, String(total), command, ms(d), ms(b), percent(b, d), `${dc.toFixed(2)} s`, `${bc.toFixed(2)} s`, percent(bc, dc), '10 %']);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  rows.push(...skipped.map(([name, why]) => [name, why, '', '', '', '', '', '', '', '']));
  report(
    'run-tests',
    ['runner', 'tests', 'direct command', 'wall, directly', 'wall, Baton', 'wall overhead', 'CPU, directly', 'CPU, Baton', 'CPU overhead', 'target'],
    rows,
    { runs: RUNS },
  );
}
