import type { Config } from '../../src/config.js';
import type { ToolContext } from '../../src/core/context.js';
import { Logger } from '../../src/log.js';
import { servicesFor } from '../../src/services.js';

/** A capability's context as the MCP adapter would build it, for calling capabilities directly. */
export async function toolContext(root: string, stateDir: string, config: Config, overrides: Partial<ToolContext> = {}): Promise<ToolContext> {
  return {
    ...(await servicesFor(root, stateDir)),
    config,
    log: new Logger('error'),
    signal: new AbortController().signal,
    progress: () => {},
    ...overrides,
  };
}
