import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { JobManager } from './jobs.js';
import type { WorkspaceState } from './state.js';
import type { Workspace } from './workspace.js';

/** What a tool needs of the workspace it works in: the root, its state folder, its jobs. */
export interface WorkspaceServices {
  workspace: Workspace;
  state: WorkspaceState;
  jobs: JobManager;
}

/**
 * Everything a capability may get besides its input. The MCP adapter, the CLI and the
 * delegate's agent loop each build one; a capability declares the `Pick` of it it needs.
 */
export interface ToolContext extends WorkspaceServices {
  config: Config;
  log: Logger;
  /** Aborted when the caller cancels (notifications/cancelled, Ctrl-C, a cancelled job). */
  signal: AbortSignal;
  /** A step of long work; sent as a progress notification when the caller asked for them. */
  progress(message: string): void;
}
