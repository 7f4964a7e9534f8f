// The first calls of a fresh server, as a client makes them: spawn, initialize, tools/list, then
// `session` (resume) or `repo-scan` overview at once. Reported: the call's own latency and the time
// from spawn to its answer, median of RUNS fresh servers on a small repository (DESIGN.md §5).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_CLI, median, ms, report, StdioRpc } from './lib.mjs';

const RUNS = 15;

function smallRepo() {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-small-'));
  const files = {
    'package.json': JSON.stringify({ name: 'small', type: 'module', scripts: { test: 'node --test' } }),
    'README.md': '# small\n\nA small project.\n',
    'src/index.js': "export { add } from './math.js';\n",
    'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n',
    'src/strings.js': 'export const shout = (s) => s.toUpperCase();\n',
    'test/math.test.js': "import test from 'node:test';\nimport { add } from '../src/math.js';\ntest('adds', () => add(1, 2));\n",
    '.gitignore': 'node_modules/\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'small');
  return root;
}

export async function run() {
  const root = smallRepo();
  const calls = [
    ['session resume', { name: 'session', arguments: {} }],
    ['repo-scan overview', { name: 'repo-scan', arguments: { mode: 'overview' } }],
  ];
  const rows = [];
  try {
    for (const [label, params] of calls) {
      const call = [];
      const total = [];
      for (let i = 0; i < RUNS; i++) {
        const state = mkdtempSync(join(tmpdir(), 'baton-bench-first-'));
        const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
        await rpc.initialize();
        await rpc.request('tools/list');
        const t = performance.now();
        const { message } = await rpc.request('tools/call', params);
        if (message.result?.isError) throw new Error(`${label}: ${JSON.stringify(message.result.content)}`);
        call.push(performance.now() - t);
        total.push(performance.now() - rpc.started);
        await rpc.close();
        rmSync(state, { recursive: true, force: true });
      }
      rows.push([label, ms(median(call)), ms(median(total)), RUNS]);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  report('first-call', ['first call', 'call latency (median)', 'spawn to answer (median)', 'runs'], rows);
}
