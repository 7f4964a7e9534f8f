import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface RunningServer {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Spawns the built server over stdio and connects the real SDK client to it. */
export async function startServer(options: {
  root: string;
  stateDir: string;
  args?: string[];
  env?: Record<string, string>;
  capabilities?: ConstructorParameters<typeof Client>[1];
}): Promise<RunningServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--root', options.root, '--state-dir', options.stateDir, ...(options.args ?? [])],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'baton-test', version: '1.0.0' }, options.capabilities ?? { capabilities: {} });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, close: () => client.close() };
}
