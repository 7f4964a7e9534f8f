// apply-patch, side by side in one run. Speed: 100 hunks on a 10k-line file (as a git diff and
// as a Codex patch), the same 100 changes as search/replace edits, and a 200-file patch, each
// in-process, as an MCP tool call and as a CLI process, beside `git apply` of the same changes;
// the syntax guard's cost on a 2000-line file (the first edit of a file, a later edit of it, and
// the one-off load of tree-sitter and the grammar). Then a drift table: single-hunk patches
// applied to files shifted by inserted or duplicated lines, counted as applied correctly,
// failed, or misplaced (must be 0 for Baton), for Baton, `git apply` and `patch --fuzz=2`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BATON_CLI, median, ms, ratio, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** The sources measured in-process; BATON_BENCH_SRC points at another checkout's (say, the previous commit's) to compare. */
const SOURCES = process.env.BATON_BENCH_SRC ?? ROOT;
const TARGETS = { hunks: '< 50 ms', guard: '< 10 ms' };

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

/** The same change as a Codex patch: each hunk a chunk of its own (`@@`), no line numbers. */
function codexPatch(path, unified) {
  const chunks = unified
    .split('\n')
    .filter((line) => /^(@@ |[ +-])/.test(line) && !/^(\+\+\+|---) /.test(line))
    .map((line) => (line.startsWith('@@ ') ? '@@' : line));
  return `*** Begin Patch\n*** Update File: ${path}\n${chunks.join('\n')}\n*** End Patch\n`;
}

function timeProcess(args, cwd, input, reset) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    reset(i);
    const started = performance.now();
    const result = spawnSync(args[0], args.slice(1), { cwd, input, encoding: 'utf8', maxBuffer: 1 << 30 });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stdout}${result.stderr}`);
  }
  return median(samples);
}

/** Median time of an apply-patch call made by `call` (over MCP or in-process), the file reset before each. */
async function timeApply(call, args, reset, runs = RUNS) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const input = reset(i) ?? args;
    const started = performance.now();
    const result = await call({ ...input, maxTokens: 200 });
    samples.push(performance.now() - started);
    if (!result.applied) throw new Error(JSON.stringify(result.errors).slice(0, 500));
  }
  return median(samples);
}

function overMcp(rpc) {
  return async (args) => {
    const reply = (await rpc.request('tools/call', { name: 'apply-patch', arguments: args })).message;
    if (reply.result.isError) throw new Error(JSON.stringify(reply.result.content).slice(0, 500));
    return reply.result.structuredContent;
  };
}

/** Where the in-process bundle is built: inside the checkout, so its packages resolve from its node_modules. */
const BUNDLE = { entry: join(SOURCES, '.tmp', 'bench-apply-patch-entry.ts'), outfile: join(SOURCES, '.tmp', 'bench-apply-patch.mjs') };

/** apply-patch run in this process: the tool's own module, bundled from the sources. */
async function inProcess(repo, state) {
  const { entry, outfile } = BUNDLE;
  mkdirSync(join(SOURCES, '.tmp'), { recursive: true });
  writeFileSync(
    entry,
    [
      "export { applyPatch } from '../src/tools/apply-patch/patch.js';",
      "export { ApplyPatchInput } from '../src/tools/apply-patch/schema.js';",
      "export { Workspace } from '../src/core/workspace.js';",
      "export { WorkspaceState } from '../src/core/state.js';",
    ].join('\n'),
  );
  // Packages stay external: resolved from the checkout's node_modules, as the server resolves them.
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'silent' });
  const { applyPatch, ApplyPatchInput, Workspace, WorkspaceState } = await import(pathToFileURL(outfile).href);
  const workspace = await Workspace.open(repo);
  const services = { workspace, state: await WorkspaceState.open(state, workspace.root) };
  return (args) => applyPatch(ApplyPatchInput.parse(args), services);
}

async function speed(rows, guardRows) {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-apply-'));
  const rand = random(7);
  try {
    // 100 hunks on a 10k-line file.
    const big = codeLines(10_000, rand, 'big');
    const bigAfter = big.map((line, i) => (i % 100 === 50 ? `${line} // changed` : line));
    const bigBefore = big.join('\n') + '\n';
    const bigPatch = gitDiff(work, 'big.js', bigBefore, bigAfter.join('\n') + '\n');
    const bigCodex = codexPatch('big.js', bigPatch);
    // 200 files, one change each.
    const many = Array.from({ length: 200 }, (_, f) => codeLines(60, rand, `f${f}`));
    const manyPatch = many
      .map((lines, f) => gitDiff(work, `src/file${f}.js`, lines.join('\n') + '\n', lines.map((l, i) => (i === 30 ? `${l} // edited` : l)).join('\n') + '\n'))
      .join('');
    // The same 100 changes as search/replace: structured edits (in-process, MCP), SEARCH/REPLACE blocks (CLI).
    // Each edit names a line that is unique (its generated name carries its index) with the line after it.
    const edits = [];
    for (let block = 0; block < 100; block++) {
      let i = block * 100 + 50;
      while (!big[i].includes(`_${i}`)) i++;
      edits.push({ path: 'big.js', oldText: `${big[i]}\n${big[i + 1]}\n`, newText: `${big[i]} // changed\n${big[i + 1]}\n` });
    }
    const blocks = edits.map((edit) => `big.js\n<<<<<<< SEARCH\n${edit.oldText}=======\n${edit.newText}>>>>>>> REPLACE\n`).join('');
    // The random lines above do not balance their braces, so big.js is not valid JavaScript (the
    // syntax guard does not judge it); the same 100 edits on a valid 10k-line file, 2000 functions.
    const valid = Array.from({ length: 2000 }, (_, f) => [
      `export function valid_${f}(request, response) {`,
      '  const result = next(request);',
      `  if (result.status === ${f % 7}) return response.send(result);`,
      '  return result;',
      '}',
    ]).flat();
    const validBefore = valid.join('\n') + '\n';
    const validEdits = Array.from({ length: 100 }, (_, block) => {
      const i = block * 100 + 50; // the header of function block * 20 + 10
      return { path: 'valid.js', oldText: `${valid[i]}\n${valid[i + 1]}\n`, newText: `${valid[i]} // changed\n${valid[i + 1]}\n` };
    });
    const validBlocks = validEdits.map((edit) => `valid.js\n<<<<<<< SEARCH\n${edit.oldText}=======\n${edit.newText}>>>>>>> REPLACE\n`).join('');
    const validPatch = gitDiff(work, 'valid.js', validBefore, valid.map((line, i) => (i % 100 === 50 ? `${line} // changed` : line)).join('\n') + '\n');

    const repo = join(work, 'repo');
    mkdirSync(join(repo, 'src'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const resetBig = () => writeFileSync(join(repo, 'big.js'), bigBefore);
    /** Content no earlier call saw (a new first line), so the syntax guard has no tree of it. */
    const resetBigAnew = (run) => writeFileSync(join(repo, 'big.js'), `// ${Date.now()} ${run}\n${bigBefore}`);
    const resetValidAnew = (run) => writeFileSync(join(repo, 'valid.js'), `// ${Date.now()} ${run}\n${validBefore}`);
    const resetMany = () => {
      for (const [f, lines] of many.entries()) writeFileSync(join(repo, 'src', `file${f}.js`), lines.join('\n') + '\n');
    };
    // A 2000-line TypeScript file, valid, and one edit of it; the same text as .txt has no grammar.
    const source = (run) =>
      `// run ${run}\n` +
      Array.from({ length: 400 }, (_, i) => `export function f${i}(a: number): number {\n  const b = a * ${i};\n  if (b > 10) return b;\n  return a;\n}`).join(
        '\n',
      ) +
      '\n';
    /** An edit of a file written for the run: new content each run (never parsed), or the same (its tree kept); a new edit each run. */
    const guardRun = (path, fresh) => (run) => {
      writeFileSync(join(repo, path), source(fresh ? `${Date.now()}-${run}` : 'same'));
      return { edits: [{ path, oldText: 'const b = a * 200;', newText: `const b = a * ${1000 + run};` }], dryRun: true };
    };

    const cli = [process.execPath, BATON_CLI, 'apply', '-', '--root', repo, '--state-dir', join(work, 'state')];
    const local = await inProcess(repo, join(work, 'state-local'));
    const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', join(work, 'state')]);
    await rpc.initialize();
    const mcp = overMcp(rpc);
    try {
      // Loading tree-sitter first, while neither this process nor the server has: the first call
      // costs the same with and without the guard but for that.
      const firstCall = async (call, path) => {
        const started = performance.now();
        await call(guardRun(path, true)(0));
        return performance.now() - started;
      };
      const load = async (call, tag) => Math.max(0, (await firstCall(call, `load-${tag}.ts`)) - (await firstCall(call, `load-${tag}.txt`)));
      const loadLocal = await load(local, 'local');
      const loadMcp = await load(mcp, 'mcp');

      const cases = [
        ['100 hunks (git diff), 10k-line file', { patch: bigPatch }, bigPatch, resetBig, TARGETS.hunks],
        ['100 hunks (Codex patch), 10k-line file', { patch: bigCodex }, bigCodex, resetBig, TARGETS.hunks],
        [`${edits.length} search/replace edits, 10k-line file`, { edits }, blocks, resetBig, TARGETS.hunks],
        [`${edits.length} search/replace edits, 10k-line file not seen before`, { edits }, blocks, resetBigAnew, TARGETS.hunks],
        [
          `${validEdits.length} search/replace edits, valid 10k-line file not seen before`,
          { edits: validEdits },
          validBlocks,
          resetValidAnew,
          TARGETS.hunks,
          validPatch,
        ],
        ['200-file patch', { patch: manyPatch }, manyPatch, resetMany, ''],
      ];
      for (const [label, args, text, reset, target, baseline] of cases) {
        const inside = await timeApply(local, args, reset);
        const call = await timeApply(mcp, args, reset);
        const process_ = timeProcess(cli, repo, text, reset);
        // The baseline: git apply of the same changes as a git diff (for search/replace, the 100-hunk diff).
        const git = timeProcess(['git', 'apply', '-'], repo, baseline ?? (text === manyPatch ? manyPatch : bigPatch), reset);
        rows.push([label, ms(inside), ms(call), ms(process_), ms(git), ratio(process_, git), target]);
      }
      // The guard on a file of ordinary size, with and without a grammar, call by call in turn.
      for (const [label, fresh] of [
        ['the first edit of a file (no tree of its old text kept)', true],
        ['a later edit (its tree kept, the changed lines reparsed)', false],
      ]) {
        const cost = async (call) => {
          const samples = { ts: [], txt: [] };
          for (let i = -1; i < RUNS; i++) {
            for (const ext of ['ts', 'txt']) {
              const args = guardRun(`guard.${ext}`, fresh)(i);
              const started = performance.now();
              await call({ ...args, maxTokens: 200 });
              if (i >= 0) samples[ext].push(performance.now() - started);
            }
          }
          return { ts: median(samples.ts), txt: median(samples.txt) };
        };
        const inside = await cost(local);
        const call = await cost(mcp);
        const added = ({ ts, txt }) => `+${ms(Math.max(0, ts - txt))}`;
        guardRows.push([`2000-line .ts file, ${label}`, added(inside), added(call), `${ms(inside.txt)} / ${ms(call.txt)}`, TARGETS.guard]);
      }
      guardRows.push(['loading tree-sitter and the grammar (first guarded call of a process)', `+${ms(loadLocal)}`, `+${ms(loadMcp)}`, '', 'one-off']);
    } finally {
      await rpc.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    for (const file of Object.values(BUNDLE)) rmSync(file, { force: true });
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
  const guardRows = [];
  await speed(speedRows, guardRows);
  report('apply-patch', ['case', 'in-process', 'MCP tool call', 'CLI process', 'git apply process', 'CLI vs git', 'target'], speedRows, {
    runs: RUNS,
    note: 'the 10k-line file is the same in every call (but in the "not seen before" row), so from the second call on the syntax guard finds its tree kept (see apply-patch-guard)',
  });
  report('apply-patch-guard', ['syntax guard: one edit (dry run)', 'in-process', 'MCP tool call', 'baseline: same edit of a .txt', 'target'], guardRows, {
    runs: RUNS,
  });
  const driftRows = [];
  const total = await drift(driftRows);
  report('apply-patch-drift', ['tool', `correct (of ${total})`, 'failed', 'misplaced'], driftRows);
}
