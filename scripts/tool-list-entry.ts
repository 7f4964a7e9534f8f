// Build-time entry: registers every tool on a throwaway server and exports the tools/list
// entries, which scripts/build.mjs bakes into the bundle (see src/tool-list.ts).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from '../src/register.js';
import { toolDefinitions } from '../src/tool-list.js';
import { registerTools } from '../src/tools/index.js';

const context: ServerContext = {
  config: undefined as never,
  log: undefined as never,
  listed: [],
  workspace: () => Promise.reject(new Error('no workspace at build time')),
};
registerTools(new McpServer({ name: 'baton-build', version: '0' }), context);
export const tools = await toolDefinitions(context.listed);
