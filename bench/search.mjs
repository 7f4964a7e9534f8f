import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmProject } from './corpus.mjs';
import { benchRepo, plainTree } from './fixtures.mjs';
import { BATON_CLI, median, ms, RUNS, ratio, report, StdioRpc, timeCall, timeCommand } from './lib.mjs';

async function withServer(root, body) {
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-state-'));
  const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
  await rpc.initialize();
  try {
    return await body(rpc);
  } finally {
    await rpc.close();
    rmSync(state, { recursive: true, force: true });
  }
}

/** [label, repo-scan arguments, the same search as grep flags]: first pages. */
const CASES = [
  ['literal (rare)', { query: 'loadUserConfig1234' }, ['-F', '-e', 'loadUserConfig1234']],
  ['literal (common)', { query: 'count' }, ['-F', '-i', '-e', 'count']],
  ['regex', { query: 'format[A-Z]\\w+4\\d_3', regex: true }, ['-P', '-e', 'format[A-Z]\\w+4\\d_3']],
  ['regex (common)', { query: 'count = count \\+ \\d+', regex: true }, ['-P', '-e', 'count = count \\+ \\d+']],
];
/**
 * Frequent literals of the kinds agents search real code for (`.unwrap()`, `console.log(`,
 * `FileId`): a method call, a call with punctuation, a capitalised identifier (smart case
 * makes it case-sensitive). Hundreds of thousands of lines each on the 50k-file repository.
 */
const FREQUENT = [
  ['literal (frequent, like `.unwrap()`)', { query: '.to_string()' }, ['-F', '-e', '.to_string()']],
  ['literal (frequent, like `console.log(`)', { query: '(input, count)' }, ['-F', '-e', '(input, count)']],
  ['literal (frequent, like `FileId`)', { query: 'String' }, ['-F', '-e', 'String']],
];
/** About 8k matching lines: paged through at the largest budget, against one git grep. */
const PAGED = ['regex (8k lines)', { query: 'count \\+ 4[23]\\b', regex: true, maxTokens: 20_000 }, ['-P', '-e', 'count \\+ 4[23]\\b']];
/** The TypeScript compiler as published: few files, large ones (a 9 MB typescript.js). */
const REAL = {
  name: 'typescript',
  version: '5.6.3',
  first: [
    ['literal (frequent)', { query: 'return ' }, ['-F', '-e', 'return ']],
    ['literal (frequent, like `FileId`)', { query: 'Node' }, ['-F', '-e', 'Node']],
    ['regex', { query: 'function \\w+\\(node', regex: true }, ['-P', '-e', 'function \\w+\\(node']],
  ],
  paged: ['literal (3k lines)', { query: '.kind === ', maxTokens: 20_000 }, ['-F', '-e', '.kind === ']],
};
const GIT_GREP = ['git', 'grep', '-n', '--column', '-z', '-I', '--untracked'];

/** Median time to read every page of a search, following nextCursor; checks the pages add up. */
async function timeAllPages(rpc, args, runs) {
  const samples = [];
  let pages = 0;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    let cursor;
    let seen = 0;
    pages = 0;
    do {
      const { result } = await timeCall(rpc, { mode: 'search', ...args, ...(cursor ? { cursor } : {}) }, 1);
      cursor = result.nextCursor;
      seen += result.matches.length;
      total = result.totalMatches;
      pages++;
    } while (cursor);
    samples.push(performance.now() - started);
    if (seen !== total) throw new Error(`paging ${JSON.stringify(args)} showed ${seen} of ${total} matches`);
  }
  return { ms: median(samples), pages, total };
}

async function gitRows(repo, label, first, paged, rows) {
  await withServer(repo, async (rpc) => {
    for (const [name, args, grepArgs] of first) {
      const baseline = timeCommand([...GIT_GREP, ...grepArgs], repo);
      const search = await timeCall(rpc, { mode: 'search', ...args });
      rows.push([`${label}: ${name}`, `git grep (${search.result.totalMatches} matches)`, ms(search.ms), ms(baseline), ratio(search.ms, baseline), '1.5x']);
    }
    const [name, args, grepArgs] = paged;
    const baseline = timeCommand([...GIT_GREP, ...grepArgs], repo);
    const pages = await timeAllPages(rpc, args, Math.min(RUNS, 3));
    rows.push([
      `${label}: all pages, ${name}`,
      `one git grep (${pages.pages} pages, ${pages.total} matches)`,
      ms(pages.ms),
      ms(baseline),
      ratio(pages.ms, baseline),
      '',
    ]);
  });
}

export async function run() {
  const repo = benchRepo(50_000);
  const plain = plainTree(50_000);
  const rows = [];

  await gitRows(repo, 'git', [...CASES, ...FREQUENT], PAGED, rows);
  await gitRows(npmProject(REAL.name, REAL.version), `${REAL.name} ${REAL.version}`, REAL.first, REAL.paged, rows);

  await withServer(plain, async (rpc) => {
    for (const [label, args, grepArgs] of [...CASES, FREQUENT[1]]) {
      const baseline = timeCommand(['grep', '-r', '-n', '-I', ...grepArgs, '.'], plain);
      const search = await timeCall(rpc, { mode: 'search', ...args });
      rows.push([`no git: ${label}`, `grep -r (${search.result.totalMatches} matches)`, ms(search.ms), ms(baseline), ratio(search.ms, baseline), '']);
    }
    const [label, args, grepArgs] = PAGED;
    const baseline = timeCommand(['grep', '-r', '-n', '-I', ...grepArgs, '.'], plain);
    const pages = await timeAllPages(rpc, args, Math.min(RUNS, 3));
    rows.push([
      `no git: all pages, ${label}`,
      `one grep -r (${pages.pages} pages, ${pages.total} matches)`,
      ms(pages.ms),
      ms(baseline),
      ratio(pages.ms, baseline),
      '',
    ]);
  });

  // A fresh server's first search outside git (a small folder): what starting the worker costs.
  const small = mkdtempSync(join(tmpdir(), 'baton-bench-small-'));
  for (let i = 0; i < 50; i++) {
    mkdirSync(join(small, `d${i % 5}`), { recursive: true });
    writeFileSync(join(small, `d${i % 5}`, `f${i}.ts`), `export const value${i} = ${i};\nexport function load${i}() { return value${i}; }\n`);
  }
  const firsts = [];
  const seconds = [];
  for (let i = 0; i < RUNS; i++) {
    await withServer(small, async (rpc) => {
      firsts.push((await timeCall(rpc, { mode: 'search', query: 'load7\\b', regex: true }, 1)).ms);
      seconds.push((await timeCall(rpc, { mode: 'search', query: 'load7\\b', regex: true }, 1)).ms);
    });
  }
  rmSync(small, { recursive: true, force: true });
  rows.push([
    'no git: first search, fresh server (50 files)',
    'the same search again',
    ms(median(firsts)),
    ms(median(seconds)),
    ratio(median(firsts), median(seconds)),
    '',
  ]);

  report('search', ['case', 'baseline / detail', 'baton', 'baseline', 'ratio', 'target'], rows, { files: 50_000, runs: RUNS });
}
