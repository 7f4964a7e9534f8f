import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from '../register.js';
import { registerSession } from '../session/tool.js';
import { registerApplyPatch } from './apply-patch/tool.js';
import { registerDelegate } from './delegate-to-codex/tool.js';
import { registerRepoScan } from './repo-scan/tool.js';
import { registerRunTests } from './run-tests/tool.js';

/** Registers every tool; each registers itself from its folder's `tool.ts`. */
export function registerTools(server: McpServer, context: ServerContext): void {
  registerRepoScan(server, context);
  registerApplyPatch(server, context);
  registerRunTests(server, context);
  registerDelegate(server, context);
  registerSession(server, context);
}
