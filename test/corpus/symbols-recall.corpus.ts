import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { hasDebianTools, measureRecall, missesByKind, RECALL_PROJECTS, universalCtagsVersion } from '../../bench/recall-lib.mjs';
import { extractTags } from '../../src/tools/repo-scan/tags/index.js';

/**
 * repo-scan's symbols against Universal Ctags on real projects from the npm registry and Debian's
 * archive (pinned, cached outside the repository by bench/corpus.mjs): for every language of the
 * symbols mode, at least 90% of the definitions ctags finds that a code map lists (kinds and
 * reasons in bench/recall-lib.mjs) must be among Baton's symbols. bench/recall.mjs prints the same
 * measure with timings. Run with `npm run test:corpus` (needs the registries the first time).
 */

const MIN_RECALL = 0.9;
/** Fewer definitions than this would make a recall that says nothing: the corpus or ctags broke. */
const MIN_DEFINITIONS = 100;

interface RecallProject {
  language: string;
  name: string;
  registry: 'npm' | 'debian';
}

interface Definition {
  path: string;
  line: number;
  kind: string;
  names: Set<string>;
}

interface RecallResult {
  files: string[];
  definitions: number;
  matched: number;
  recall: number;
  missed: Definition[];
  batonSymbols: number;
  batonOnly: unknown[];
}

const ctags: string | undefined = universalCtagsVersion();
const debianTools: boolean = hasDebianTools();
if (!ctags) console.warn('symbols recall: SKIPPED, Universal Ctags is not installed (apt-get install universal-ctags; .ci/run installs it)');
if (ctags && !debianTools) console.warn('symbols recall: the Debian projects are SKIPPED, apt-get and dpkg-deb are not here to fetch them');

describe.skipIf(!ctags)(`symbols recall against ${ctags ?? 'Universal Ctags'}`, () => {
  for (const project of RECALL_PROJECTS as RecallProject[]) {
    it.skipIf(project.registry === 'debian' && !debianTools)(`${project.language}: ${project.name}`, async () => {
      const result: RecallResult = await measureRecall(project, extractTags);
      const misses = result.missed
        .slice(0, 15)
        .map((definition) => `  ${definition.path}:${definition.line} ${[...definition.names].join('|')} (${definition.kind})`)
        .join('\n');
      console.log(
        `${project.language} | ${project.name} | ${result.files.length} files | ctags ${result.definitions} | Baton ${result.batonSymbols} | ` +
          `recall ${result.recall.toFixed(3)} | Baton only ${result.batonOnly.length} | missed by kind ${JSON.stringify(missesByKind(result))}`,
      );
      expect(result.definitions).toBeGreaterThanOrEqual(MIN_DEFINITIONS);
      expect(result.recall, `recall ${result.recall.toFixed(3)} on ${project.name}; first misses:\n${misses}`).toBeGreaterThanOrEqual(MIN_RECALL);
    });
  }
});
