// Symbol recall against Universal Ctags per language and project (bench/recall-lib.mjs says what
// is compared and why: "ctags tags" is all ctags found, "ctags definitions" what a code map lists
// of them, "Baton only" Baton's symbols ctags has under no kind), with the time Baton's extraction
// takes against ctags's on the same files:
// Baton reads and parses every file in process (grammars loaded beforehand), ctags runs as a
// process writing JSON. Median of BENCH_RUNS (default 3) runs each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median, ms, ROOT, ratio, report } from './lib.mjs';
import { compareSymbols, ctagsTags, keptDefinitions, prepareProject, RECALL_PROJECTS, runCtags, universalCtagsVersion } from './recall-lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/**
 * Baton's extractTags as a module: dist/ is one minified bundle that exports no such thing, so the
 * same source is bundled on its own (into .tmp/, inside the checkout so the grammars resolve).
 */
async function loadExtractTags() {
  const outfile = join(ROOT, '.tmp', 'bench-recall', 'tags.mjs');
  await build({
    entryPoints: [join(ROOT, 'src', 'tools', 'repo-scan', 'tags', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return (await import(`${outfile}?${Date.now()}`)).extractTags;
}

async function batonSymbols(extractTags, root, files) {
  const byFile = new Map();
  for (const file of files) byFile.set(file, (await extractTags(file, readFileSync(join(root, file), 'utf8')))?.symbols ?? []);
  return byFile;
}

async function timed(run) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function run() {
  const ctags = universalCtagsVersion();
  if (!ctags) {
    console.log('\n## recall\n\nskipped: Universal Ctags is not installed (apt-get install universal-ctags)');
    return;
  }
  const extractTags = await loadExtractTags();
  const rows = [];
  const byLanguage = new Map();
  for (const project of RECALL_PROJECTS) {
    let prepared;
    try {
      prepared = prepareProject(project);
    } catch (error) {
      rows.push([project.language, project.name, `skipped: ${error.message.split('\n')[0]}`, '', '', '', '', '', '', '', '']);
      continue;
    }
    const { root, files } = prepared;
    // Warm: grammars loaded and files in the page cache for both.
    const byFile = await batonSymbols(extractTags, root, files);
    const tags = ctagsTags(root, files, project.language);
    const result = compareSymbols(keptDefinitions(tags, project.language), tags, byFile);
    const batonMs = await timed(() => batonSymbols(extractTags, root, files));
    const ctagsMs = await timed(() => runCtags(root, files, project.language));
    rows.push(row(project.language, project.name, files.length, { ...result, tags: tags.length }, batonMs, ctagsMs));
    const total = byLanguage.get(project.language) ?? { files: 0, tags: 0, definitions: 0, matched: 0, batonSymbols: 0, batonOnly: [], batonMs: 0, ctagsMs: 0 };
    byLanguage.set(project.language, {
      files: total.files + files.length,
      tags: total.tags + tags.length,
      definitions: total.definitions + result.definitions,
      matched: total.matched + result.matched,
      batonSymbols: total.batonSymbols + result.batonSymbols,
      batonOnly: [...total.batonOnly, ...result.batonOnly],
      batonMs: total.batonMs + batonMs,
      ctagsMs: total.ctagsMs + ctagsMs,
    });
  }
  for (const [language, total] of byLanguage) {
    rows.push(row(language, 'all of the above', total.files, { ...total, recall: total.matched / total.definitions }, total.batonMs, total.ctagsMs));
  }
  report(
    'recall',
    ['language', 'project', 'files', 'ctags tags', 'ctags definitions', 'Baton symbols', 'recall', 'Baton only', 'Baton', 'ctags', 'Baton/ctags'],
    rows,
    {
      ctags,
      runs: RUNS,
      target: 'recall >= 0.9 per language and project',
    },
  );
}

function row(language, project, files, result, batonMs, ctagsMs) {
  return [
    language,
    project,
    files,
    result.tags,
    result.definitions,
    result.batonSymbols,
    result.recall.toFixed(3),
    result.batonOnly.length,
    ms(batonMs),
    ms(ctagsMs),
    ratio(batonMs, ctagsMs),
  ];
}
