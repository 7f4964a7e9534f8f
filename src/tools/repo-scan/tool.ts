import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderScan } from './render.js';


export function registerRepoScan(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'repo-scan',
    title: 'Scan repository',
    description:
      'Understand the repository. overview: git, languages, manifests, test runners, tree, readme. tree: files with sizes. ' +
      'search: git grep. symbols: tree-sitter outline. map: files ranked by PageRank with signatures (focus, query steer it). read: lines.',
    schemas: async () => {
      const { RepoScanInput, RepoScanOutput } = await import('./schema.js');
      return { input: RepoScanInput, output: RepoScanOutput };
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    // The capability and its dependencies load on the first call, not at start-up.
    run: async (input, context) => (await import('./scan.js')).repoScan(input, context),
    render: renderScan,
  });
}
