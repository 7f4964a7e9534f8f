import { readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/**
 * The map of the built server over MCP: a cold map parses on threads (dist/parse-worker.js) and
 * says how far it got; a cancelled one stops; a restarted server maps from what the first one
 * stored, without parsing.
 */

/** `count` TypeScript files in a few folders, each defining a function and using its neighbours'. */
function sources(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const uses = [1, 2, 3].map((d) => `step${(i + d) % count}`);
    files[`src/part${i % 10}/m${i}.ts`] =
      `export function step${i}(input: number): number {\n  return ${uses.map((name) => `${name}(input)`).join(' + ')};\n}\n`;
  }
  return files;
}

type CallResult = { structuredContent: RepoScanOutput; isError?: boolean };

async function map(server: RunningServer, args: Record<string, unknown> = {}, progress: string[] = [], signal?: AbortSignal): Promise<RepoScanOutput> {
  const result = (await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'map', ...args } }, undefined, {
    onprogress: (p) => void progress.push(String(p.message)),
    timeout: 300_000,
    ...(signal ? { signal } : {}),
  })) as unknown as CallResult;
  expect(result.isError).toBeFalsy();
  return result.structuredContent;
}

describe('map over MCP', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  it('reports progress while parsing on threads', async () => {
    const root = join(dir.path, 'progress');
    await gitRepo(root, sources(600));
    const server = await startServer({ root, stateDir: join(dir.path, 'progress-state') });
    try {
      const progress: string[] = [];
      await map(server, {}, progress);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[0]).toMatch(/^map: parsed \d+ of 600 files on \d+ threads$/);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('stops parsing when the call is cancelled, and the next call parses what is left', async () => {
    const root = join(dir.path, 'cancel');
    await gitRepo(root, sources(4000));
    const server = await startServer({ root, stateDir: join(dir.path, 'cancel-state') });
    try {
      const controller = new AbortController();
      const first: string[] = [];
      const cancelled = map(server, {}, first, controller.signal);
      await expect.poll(() => first.length, { timeout: 120_000 }).toBeGreaterThan(0);
      controller.abort();
      await expect(cancelled).rejects.toThrow();
      // Had the cancelled parse gone on, this call would wait for it and find nothing to parse.
      const second: string[] = [];
      const result = await map(server, {}, second);
      const left = Number(/of (\d+) files/.exec(second[0] ?? '')?.[1]);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(4000);
      expect(result.map).toMatch(/^src\/part\d\/m\d+\.ts:/);
    } finally {
      await server.close();
    }
  }, 300_000);

  it('maps after a restart from what the first server stored, and rebuilds a damaged store', async () => {
    const root = join(dir.path, 'restart');
    await gitRepo(root, sources(300));
    const stateDir = join(dir.path, 'restart-state');
    // The whole map fits maxTokens here, so each call runs once and its counts are its own.
    const args = { maxTokens: 20_000, focus: ['src/part3/m13.ts'] };
    const first = await startServer({ root, stateDir });
    let before: RepoScanOutput;
    try {
      before = await map(first, args);
      expect(before).toMatchObject({ parsedFiles: 300, cachedFiles: 0, truncated: false });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the graph is stored just after the call
    } finally {
      await first.close();
    }
    const second = await startServer({ root, stateDir });
    try {
      const progress: string[] = [];
      const after = await map(second, args, progress);
      expect(after).toMatchObject({ parsedFiles: 0, cachedFiles: 300 });
      expect(progress).toEqual([]);
      expect(after.files).toEqual(before.files);
      expect(after.map).toBe(before.map);
    } finally {
      await second.close();
    }
    const [workspaceDir] = readdirSync(stateDir).filter((name) => name !== 'workspace.json');
    await writeFile(join(stateDir, workspaceDir!, 'repo-scan', 'tag-index.bin'), 'damaged');
    await writeFile(join(stateDir, workspaceDir!, 'repo-scan', 'map-graph.bin'), 'damaged');
    const third = await startServer({ root, stateDir });
    try {
      const rebuilt = await map(third, args);
      expect(rebuilt).toMatchObject({ parsedFiles: 300 });
      expect(rebuilt.map).toBe(before.map);
    } finally {
      await third.close();
    }
    // Changed while no server ran: one file edited, one added, one removed.
    await writeFile(join(root, 'src/part3/m13.ts'), 'export function step13(input: number, scale = 2): number {\n  return step14(input) * scale;\n}\n');
    await writeFile(join(root, 'src/part0/extra.ts'), 'export function extra(): number {\n  return step1(1);\n}\n');
    await rm(join(root, 'src/part7/m7.ts'));
    const fourth = await startServer({ root, stateDir });
    try {
      const changed = await map(fourth, args);
      expect(changed).toMatchObject({ parsedFiles: 2, cachedFiles: 298 });
      const paths = changed.files!.map((file) => file.path);
      expect(paths).toContain('src/part0/extra.ts');
      expect(paths).not.toContain('src/part7/m7.ts');
      expect(changed.map).toContain('scale = 2');
    } finally {
      await fourth.close();
    }
  }, 180_000);
});
