import { defineTool } from '../spec.js';
import type { RepoScanInput, RepoScanOutput } from './schema.js';
import { renderScan } from './render.js';

export const repoScanTool = defineTool<typeof RepoScanInput, typeof RepoScanOutput>({
  name: 'repo-scan',
  title: 'Scan repository',
  description:
    'Understand the repository. overview: git, languages, manifests, test runners, tree, readme. tree: files, sizes. ' +
    'search: git grep. symbols: tree-sitter outline. map: files by PageRank, with signatures (focus, query steer it). ' +
    'references: definitions and uses of identifier query (path: its definition); name-based, not type-resolved. read: lines.',
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  schemas: async () => {
    const { RepoScanInput, RepoScanOutput } = await import('./schema.js');
    return { input: RepoScanInput, output: RepoScanOutput };
  },
  // The capability and its dependencies load on the first call, not at start-up.
  run: async (input, context) => (await import('./scan.js')).repoScan(input, context),
  render: renderScan,
  refit: () => true, // read-only: a second, smaller page costs only time
  logged: true,
});
