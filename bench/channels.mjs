// What the model sees: Claude Code and the Codex CLI hand it the structuredContent as JSON, other
// clients the text. For each tool and mode, on real projects, both channels' o200k tokens and
// their ratio; both must stay within maxTokens (DESIGN.md §2), and the JSON near the text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batonCheckout, npmProject } from './corpus.mjs';
import { BATON_CLI, report, StdioRpc } from './lib.mjs';

const CALLS = [
  ['repo-scan overview', 'repo-scan', { mode: 'overview' }],
  ['repo-scan tree', 'repo-scan', { mode: 'tree' }],
  ['repo-scan search', 'repo-scan', { mode: 'search', query: 'function', contextLines: 1 }],
  ['repo-scan symbols', 'repo-scan', { mode: 'symbols' }],
  ['repo-scan map', 'repo-scan', { mode: 'map' }],
  ['repo-scan read', 'repo-scan', { mode: 'read', path: '$FILE' }],
  ['session resume', 'session', {}],
  ['apply-patch dry run', 'apply-patch', { patch: '$PATCH', dryRun: true }],
];

export async function run() {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  const projects = [
    ['express 4.21.2', npmProject('express', '4.21.2'), 'lib/router/index.js'],
    ['baton (this checkout)', batonCheckout(), 'src/core/workspace.ts'],
  ];
  const rows = [];
  for (const [label, root, file] of projects) {
    const state = mkdtempSync(join(tmpdir(), 'baton-bench-channels-'));
    const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
    try {
      await rpc.initialize();
      const patch = `*** Begin Patch\n*** Update File: ${file}\n@@\n+// a line the dry run would add\n*** End Patch\n`;
      for (const [name, tool, args] of CALLS) {
        for (const maxTokens of [1000, 4000]) {
          const filled = JSON.parse(JSON.stringify(args).replace('$FILE', file).replace('$PATCH', JSON.stringify(patch).slice(1, -1)));
          const { message } = await rpc.request('tools/call', { name: tool, arguments: { ...filled, maxTokens } });
          const result = message.result;
          const json = countTokens(JSON.stringify(result.structuredContent ?? {}));
          const text = countTokens(result.content?.[0]?.text ?? '');
          rows.push([label, name, maxTokens, json, text, (json / Math.max(1, text)).toFixed(2), json <= maxTokens && text <= maxTokens ? 'yes' : 'NO']);
        }
      }
    } finally {
      await rpc.close();
      rmSync(state, { recursive: true, force: true });
    }
  }
  report('channels', ['project', 'call', 'maxTokens', 'JSON tokens', 'text tokens', 'JSON/text', 'both within'], rows);
}
