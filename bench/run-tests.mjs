// run-tests overhead: the same suites run directly and through Baton (an MCP tools/call on a
// warm server), interleaved in one run. Target: Baton adds under 10 % to the runner's time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_CLI, median, ms, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function project(dir, pkg, files) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true, ...pkg }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

/** `count` files of 20 small tests each, in the runner's own style. */
function suite(count, makeFile) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => makeFile(i)));
}

const cases = [
  {
    name: 'vitest (40 files, 800 tests)',
    pkg: { type: 'module', devDependencies: { vitest: '*' } },
    files: suite(40, (i) => [
      `src/t${i}.test.ts`,
      `import { it, expect } from 'vitest';\n${Array.from({ length: 20 }, (_, j) => `it('t${j}', () => expect(${j} + 1).toBe(${j + 1}));`).join('\n')}\n`,
    ]),
    direct: (dir) => [join(dir, 'node_modules/.bin/vitest'), ['run']],
  },
  {
    name: 'jest (20 files, 400 tests)',
    pkg: { devDependencies: { jest: '*' } },
    files: suite(20, (i) => [`t${i}.test.js`, `${Array.from({ length: 20 }, (_, j) => `test('t${j}', () => expect(${j} + 1).toBe(${j + 1}));`).join('\n')}\n`]),
    direct: (dir) => [join(dir, 'node_modules/.bin/jest'), ['--ci']],
  },
  {
    name: 'node --test (20 files, 400 tests)',
    pkg: { type: 'module', scripts: { test: 'node --test' } },
    files: suite(20, (i) => [
      `test/t${i}.test.js`,
      `import test from 'node:test';\nimport assert from 'node:assert';\n${Array.from({ length: 20 }, (_, j) => `test('t${j}', () => assert.strictEqual(${j} + 1, ${j + 1}));`).join('\n')}\n`,
    ]),
    direct: () => [process.execPath, ['--test']],
  },
];

const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version']).status === 0;
if (hasPytest) {
  cases.push({
    name: 'pytest (20 files, 400 tests)',
    pkg: {},
    files: {
      'pytest.ini': '[pytest]\n',
      ...suite(20, (i) => [`tests/test_t${i}.py`, Array.from({ length: 20 }, (_, j) => `def test_t${j}():\n    assert ${j} + 1 == ${j + 1}\n`).join('\n')]),
    },
    direct: () => ['python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider']],
  });
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-tests-'));
  const rows = [];
  try {
    // BENCH_SUITES=pytest,jest runs only the suites whose names start with one of these.
    const only = process.env.BENCH_SUITES?.split(',');
    for (const c of cases.filter((c) => !only || only.some((prefix) => c.name.startsWith(prefix)))) {
      const dir = join(work, c.name.split(' ')[0].replace(/\W/g, ''));
      project(dir, c.pkg, c.files);
      const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', dir, '--state-dir', join(work, 'state')]);
      await rpc.initialize();
      const direct = [];
      const baton = [];
      let total = 0;
      try {
        for (let i = 0; i < RUNS + 1; i++) {
          const [file, args] = c.direct(dir);
          let started = performance.now();
          const result = spawnSync(file, args, { cwd: dir, env: { ...process.env, CI: 'true' }, encoding: 'utf8', maxBuffer: 1 << 28 });
          if (result.status !== 0) throw new Error(`${c.name} direct: ${result.stdout}${result.stderr}`);
          const directMs = performance.now() - started;
          started = performance.now();
          const reply = (await rpc.request('tools/call', { name: 'run-tests', arguments: { waitSec: 600 } })).message.result;
          const batonMs = performance.now() - started;
          if (reply.isError || reply.structuredContent.status !== 'passed') throw new Error(`${c.name} via Baton: ${reply.content[0].text.slice(0, 800)}`);
          total = reply.structuredContent.summary.total;
          if (i === 0) continue; // warm-up: caches, JIT, the first tokenizer load
          direct.push(directMs);
          baton.push(batonMs);
        }
      } finally {
        await rpc.close();
      }
      const d = median(direct);
      const b = median(baton);
      rows.push([c.name, String(total), ms(d), ms(b), `${(((b - d) / d) * 100).toFixed(1)} %`, '10 %']);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!hasPytest) rows.push(['pytest', 'skipped: python3 -m pytest not available', '', '', '', '']);
  report('run-tests', ['suite', 'tests', 'runner directly', 'through Baton', 'overhead', 'target'], rows, { runs: RUNS });
}
