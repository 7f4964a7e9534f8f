// Build-time entry: the tools/list entries, which scripts/build.mjs bakes into the bundle
// (see src/mcp/tools.ts).
import { toolDefinitions } from '../src/mcp/definitions.js';
import { TOOLS } from '../src/tools/index.js';

export const tools = await toolDefinitions(TOOLS);
