// Baton's o200k counter (src/core/o200k.ts, table built into dist/o200k.bin) against the
// gpt-tokenizer package it replaced at run time: the time a fresh process takes to be able to
// count, and counting speed on real source text. Load times are medians of fresh processes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median, ms, RUNS, ratio, report, ROOT } from './lib.mjs';

function freshLoad(script) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(out.stderr);
    times.push(Number(out.stdout));
  }
  return median(times);
}

export async function run() {
  // The counter module bundled on its own, beside the table the build made, as dist/ has them.
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-tokenizer-'));
  try {
    await build({
      entryPoints: [join(ROOT, 'src/core/o200k.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: join(dir, 'o200k.mjs'),
      logLevel: 'warning',
    });
    copyFileSync(join(ROOT, 'dist', 'o200k.bin'), join(dir, 'o200k.bin'));
    await measure(join(dir, 'o200k.mjs'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(module) {
  const batonLoad = freshLoad(`const t = performance.now();
    const { loadTokenCounter } = await import(${JSON.stringify(module)});
    (await loadTokenCounter()).count('warm up');
    process.stdout.write(String(performance.now() - t));`);
  const referenceLoad = freshLoad(`const t = performance.now();
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    countTokens('warm up');
    process.stdout.write(String(performance.now() - t));`);

  const text = ['src/core/budget.ts', 'src/tools/repo-scan/scan.ts', 'README.md', 'node_modules/typescript/lib/lib.dom.d.ts']
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .join('\n');
  const counter = await (await import(module)).loadTokenCounter();
  const { encode } = await import('gpt-tokenizer/encoding/o200k_base');
  const reference = (t) => encode(t, { disallowedSpecial: new Set() }).length;
  const time = (count) => {
    const times = [];
    let tokens = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      tokens = count(text);
      times.push(performance.now() - t);
    }
    return { ms: median(times), tokens };
  };
  const ours = time((t) => counter.count(t));
  const theirs = time(reference);
  if (ours.tokens !== theirs.tokens) throw new Error(`counts differ: ${ours.tokens} vs ${theirs.tokens}`);
  report(
    'tokenizer',
    ['measure', 'Baton (o200k.bin)', 'gpt-tokenizer', 'ratio'],
    [
      ['fresh process: load and count once', ms(batonLoad), ms(referenceLoad), ratio(batonLoad, referenceLoad)],
      [`count ${(text.length / 1e6).toFixed(1)} MB of source (${ours.tokens} tokens, equal)`, ms(ours.ms), ms(theirs.ms), ratio(ours.ms, theirs.ms)],
    ],
  );
}
