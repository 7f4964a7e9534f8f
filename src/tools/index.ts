import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from '../register.js';

/**
 * Registers every tool. Each tool arrives whole with its own issue, and registers itself
 * from its folder's `tool.ts`.
 */
export function registerTools(server: McpServer, context: ServerContext): void {
  void context;
  // No tool is complete yet. Register and remove a placeholder so the tools capability and
  // tools/list exist from the start (McpServer installs its handlers on the first registration).
  server.registerTool('baton-placeholder', { description: 'placeholder' }, () => ({ content: [] })).remove();
}
