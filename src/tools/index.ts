import { sessionTool } from '../session/tool.js';
import { applyPatchTool } from './apply-patch/tool.js';
import { delegateTool } from './delegate-to-codex/tool.js';
import { repoScanTool } from './repo-scan/tool.js';
import { runTestsTool } from './run-tests/tool.js';
import type { ToolSpec } from './spec.js';

/** Every tool Baton serves, in the order tools/list shows them. */
export const TOOLS: readonly ToolSpec[] = [repoScanTool, applyPatchTool, runTestsTool, delegateTool, sessionTool];
