// apply-patch, side by side in one run: 100 hunks on a 10k-line file and a 200-file patch
// (Baton vs `git apply`), the same 100 changes as search/replace edits, the syntax guard's cost
// on a 2000-line file, and a drift table: single-hunk patches applied to files shifted by
// inserted or duplicated lines, counted as applied correctly, failed, or misplaced (must be 0 for Baton), for Baton,
// `git apply` and `patch --fuzz=2`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_CLI, median, ms, ratio, report, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Code-like lines with the repetition real code has (closing braces, returns, blank lines). */
function codeLines(count, rand, tag) {
  const shapes = [
    (i) => `function handler${tag}_${i}(request, response) {`,
    () => '  const result = await next(request);',
    (i) => `  if (result.status === ${i % 7}) return response.send(result);`,
    () => '  return result;',
    () => '}',
    () => '',
    (i) => `export const LIMIT_${tag}_${i} = ${i};`,
    () => '  // keep going',
  ];
  return Array.from({ length: count }, (_, i) => shapes[Math.floor(rand() * shapes.length)](i));
}

/** `git diff --no-index` between two texts, as a patch for `path` (a/ b/ prefixes, index line). */
function gitDiff(work, path, before, after) {
  const a = join(work, 'diff-a');
  const b = join(work, 'diff-b');
  writeFileSync(a, before);
  writeFileSync(b, after);
  const out = spawnSync('git', ['diff', '--no-index', '--no-color', 'diff-a', 'diff-b'], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  return out
    .replaceAll('a/diff-a', `a/${path}`)
    .replaceAll('b/diff-b', `b/${path}`)
    .replace(/^diff --git .*$/m, `diff --git a/${path} b/${path}`);
}

function timeProcess(args, cwd, input, reset) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    reset();
    const started = performance.now();
    const result = spawnSync(args[0], args.slice(1), { cwd, input, encoding: 'utf8', maxBuffer: 1 << 30 });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stdout}${result.stderr}`);
  }
  return median(samples);
}

async function timeCall(rpc, patch, reset) {
  return timeArguments(rpc, typeof patch === 'string' ? { patch } : patch, reset);
}

async function timeArguments(rpc, args, reset) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    reset();
    const started = performance.now();
    const reply = (await rpc.request('tools/call', { name: 'apply-patch', arguments: { ...args, maxTokens: 200 } })).message;
    samples.push(performance.now() - started);
    if (reply.result.isError || !reply.result.structuredContent.applied) throw new Error(JSON.stringify(reply.result.content).slice(0, 500));
  }
  return median(samples);
}

async function speed(rows) {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-apply-'));
  const rand = random(7);
  try {
    // 100 hunks on a 10k-line file.
    const big = codeLines(10_000, rand, 'big');
    const bigAfter = big.map((line, i) => (i % 100 === 50 ? `${line} // changed` : line));
    const bigBefore = big.join('\n') + '\n';
    const bigPatch = gitDiff(work, 'big.js', bigBefore, bigAfter.join('\n') + '\n');
    // 200 files, one change each.
    const many = Array.from({ length: 200 }, (_, f) => codeLines(60, rand, `f${f}`));
    const manyPatch = many
      .map((lines, f) => gitDiff(work, `src/file${f}.js`, lines.join('\n') + '\n', lines.map((l, i) => (i === 30 ? `${l} // edited` : l)).join('\n') + '\n'))
      .join('');
    const repo = join(work, 'repo');
    mkdirSync(join(repo, 'src'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const resetBig = () => writeFileSync(join(repo, 'big.js'), bigBefore);
    const resetMany = () => {
      for (const [f, lines] of many.entries()) writeFileSync(join(repo, 'src', `file${f}.js`), lines.join('\n') + '\n');
    };

    const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', join(work, 'state')]);
    await rpc.initialize();
    try {
      const cases = [
        ['100 hunks, 10k-line file', bigPatch, resetBig, '50 ms'],
        ['200-file patch', manyPatch, resetMany, ''],
      ];
      for (const [label, patch, reset, target] of cases) {
        const call = await timeCall(rpc, patch, reset);
        const git = timeProcess(['git', 'apply', '-'], repo, patch, reset);
        const cli = timeProcess([process.execPath, BATON_CLI, 'apply', '-', '--root', repo, '--state-dir', join(work, 'state')], repo, patch, reset);
        rows.push([label, ms(call), ms(cli), ms(git), ratio(cli, git), target]);
      }
      // The same 100 changes as search/replace: structured edits over MCP, SEARCH/REPLACE blocks on the CLI.
      // Each edit names a line that is unique (its generated name carries its index) with the line after it.
      const edits = [];
      for (let block = 0; block < 100; block++) {
        let i = block * 100 + 50;
        while (!big[i].includes(`_${i}`)) i++;
        edits.push({ path: 'big.js', oldText: `${big[i]}\n${big[i + 1]}\n`, newText: `${big[i]} // changed\n${big[i + 1]}\n` });
      }
      const blocks = edits.map((edit) => `big.js\n<<<<<<< SEARCH\n${edit.oldText}=======\n${edit.newText}>>>>>>> REPLACE\n`).join('');
      const editCall = await timeArguments(rpc, { edits }, resetBig);
      const editCli = timeProcess([process.execPath, BATON_CLI, 'apply', '-', '--root', repo, '--state-dir', join(work, 'state')], repo, blocks, resetBig);
      rows.push([`${edits.length} search/replace edits, 10k-line file`, ms(editCall), ms(editCli), '', '', '50 ms']);

      // The syntax guard: one edit of a 2000-line TypeScript file, minus the same edit of the same text as .txt (no grammar).
      const source =
        Array.from(
          { length: 400 },
          (_, i) => `export function f${i}(a: number): number {\n  const b = a * ${i};\n  if (b > 10) return b;\n  return a;\n}`,
        ).join('\n') + '\n';
      const guardEdit = (path) => ({ edits: [{ path, oldText: 'const b = a * 200;', newText: 'const b = a * 201;' }], dryRun: true });
      const resetGuard = () => {
        writeFileSync(join(repo, 'guard.ts'), source);
        writeFileSync(join(repo, 'guard.txt'), source);
      };
      await timeArguments(rpc, guardEdit('guard.ts'), resetGuard); // loads the grammar once
      const withGuard = await timeArguments(rpc, guardEdit('guard.ts'), resetGuard);
      const without = await timeArguments(rpc, guardEdit('guard.txt'), resetGuard);
      rows.push(['syntax guard, 2000-line .ts file (vs .txt)', `${ms(withGuard)} (+${ms(Math.max(0, withGuard - without))})`, '', '', '', '10 ms']);
    } finally {
      await rpc.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One drift case: a file, a single-hunk edit, and the file shifted by inserted (or copied) lines. */
function driftCases(count) {
  const rand = random(99);
  const cases = [];
  for (let c = 0; c < count; c++) {
    const lines = codeLines(80 + Math.floor(rand() * 120), rand, `c${c}`);
    const at = 10 + Math.floor(rand() * (lines.length - 20));
    const edited = [...lines];
    edited.splice(at, 1, `${lines[at]} /* edited ${c} */`, `  audit(${c});`);
    const kind = ['above', 'below', 'both', 'copy-far-above', 'copy-near-above'][c % 5];
    const inserted = Array.from({ length: 1 + Math.floor(rand() * 40) }, (_, i) => `  log("inserted ${c}.${i}");`);
    const drifted = [...lines];
    let shift = 0;
    if (kind === 'above' || kind === 'both') {
      const where = Math.floor(rand() * (at - 4));
      drifted.splice(where, 0, ...inserted);
      shift = inserted.length;
    }
    if (kind === 'below' || kind === 'both') {
      const where = at + 4 + Math.floor(rand() * (lines.length - at - 4));
      drifted.splice(where + shift, 0, ...inserted);
    }
    if (kind.startsWith('copy')) {
      // The edited region pasted again higher up (far, or just above it): the same lines twice.
      const region = lines.slice(at - 3, at + 4);
      const where = kind === 'copy-far-above' ? Math.floor(rand() * Math.max(1, at - 10)) : at - 3 - Math.floor(rand() * 3);
      drifted.splice(where, 0, ...region);
      shift = region.length;
    }
    const expected = [...drifted];
    expected.splice(at + shift, 1, ...edited.slice(at, at + 2));
    cases.push({
      name: `case${c}.js`,
      before: lines.join('\n') + '\n',
      after: edited.join('\n') + '\n',
      drifted: drifted.join('\n') + '\n',
      expected: expected.join('\n') + '\n',
    });
  }
  return cases;
}

async function drift(rows) {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-drift-'));
  const cases = driftCases(200);
  const tally = { baton: [0, 0, 0], 'git apply': [0, 0, 0], 'patch --fuzz=2': [0, 0, 0] };
  const hasPatch = spawnSync('patch', ['--version']).status === 0;
  const repo = join(work, 'repo');
  mkdirSync(repo);
  const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', join(work, 'state')]);
  await rpc.initialize();
  try {
    for (const c of cases) {
      const patch = gitDiff(work, c.name, c.before, c.after);
      const file = join(repo, c.name);
      const judge = (tool, succeeded) => {
        const outcome = !succeeded ? 1 : readFileSync(file, 'utf8') === c.expected ? 0 : 2;
        tally[tool][outcome]++;
      };
      writeFileSync(file, c.drifted);
      const reply = (await rpc.request('tools/call', { name: 'apply-patch', arguments: { patch, maxTokens: 200 } })).message.result;
      judge('baton', !reply.isError && reply.structuredContent.applied);
      writeFileSync(file, c.drifted);
      judge('git apply', spawnSync('git', ['apply', '-'], { cwd: repo, input: patch }).status === 0);
      if (hasPatch) {
        writeFileSync(file, c.drifted);
        judge('patch --fuzz=2', spawnSync('patch', ['-p1', '--fuzz=2', '--no-backup-if-mismatch', '-s', '-f'], { cwd: repo, input: patch }).status === 0);
      }
    }
  } finally {
    await rpc.close();
    rmSync(work, { recursive: true, force: true });
  }
  for (const [tool, [correct, failed, misplaced]] of Object.entries(tally)) {
    if (tool === 'patch --fuzz=2' && !hasPatch) rows.push([tool, 'not installed (apt-get install patch)', '', '']);
    else rows.push([tool, String(correct), String(failed), String(misplaced)]);
  }
  return cases.length;
}

export async function run() {
  const speedRows = [];
  await speed(speedRows);
  report('apply-patch', ['case', 'baton tool call', 'baton CLI process', 'git apply process', 'CLI vs git', 'target'], speedRows, { runs: RUNS });
  const driftRows = [];
  const total = await drift(driftRows);
  report('apply-patch-drift', ['tool', `correct (of ${total})`, 'failed', 'misplaced'], driftRows);
}
