/**
 * `baton-mcp doctor` asks the configured endpoint for its models (the local Responses server's
 * `GET /models`) and flags configured model names it does not serve.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/repo.js';
import { startResponsesServer } from '../helpers/responses-server.js';

const KEY = 'sk-proj-doctorKeyThatMustNeverBePrinted123';

describe('doctor: the models the endpoint serves', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  const doctor = (env: Record<string, string>, config?: object) =>
    (async () => {
      const args = ['doctor', '--state-dir', join(dir.path, 'state')];
      if (config) {
        const file = join(dir.path, `baton-${Math.random().toString(36).slice(2)}.json`);
        await writeFile(file, JSON.stringify(config));
        args.push('--config', file);
      }
      return runCli(args, { HOME: dir.path, OPENAI_API_KEY: KEY, ...env });
    })();

  it('flags the configured models it does not serve, with their keys and the names it does serve', async () => {
    const server = await startResponsesServer([], { models: ['gpt-5.1-codex-mini', 'gpt-4.1'] });
    try {
      const result = await doctor(
        { OPENAI_BASE_URL: server.url },
        {
          delegate: {
            largeModel: 'gpt-5.1-codex-max',
            models: {
              'gpt-5.1-codex-mini': { contextWindow: 400_000, efforts: ['medium'] },
              'gpt-5.1-codex-max': { contextWindow: 400_000, efforts: ['high'] },
              'my-tuned': { contextWindow: 100_000, efforts: ['low'] },
            },
          },
        },
      );
      expect(result.stdout).toContain(
        `WARN  models: ${server.url} does not serve gpt-5.1-codex-max (delegate.largeModel), my-tuned (delegate.models); it serves: gpt-5.1-codex-mini, gpt-4.1`,
      );
      expect(result.stdout).not.toContain(KEY);
      expect(result.code).toBe(0); // a warning, not a failure
    } finally {
      await server.close();
    }
  });

  it('says so when it serves every configured model', async () => {
    const server = await startResponsesServer([], { models: ['gpt-5.1-codex-mini', 'gpt-5.1-codex-max', 'gpt-5.1-codex'] });
    try {
      const result = await doctor({ OPENAI_BASE_URL: server.url });
      expect(result.stdout).toMatch(/ok\s+models: .* serves every configured model \(gpt-5\.1-codex-mini, gpt-5\.1-codex-max, gpt-5\.1-codex\)/);
    } finally {
      await server.close();
    }
  });

  it('notes an endpoint that does not answer, without printing the key it echoes', async () => {
    const refusing = createServer((_req, res) => {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1`;
      const result = await doctor({ OPENAI_BASE_URL: url });
      expect(result.stdout).toMatch(
        new RegExp(`note\\s+models: ${url.replace(/[.]/g, '\\.')} did not list its models \\(HTTP 401: Incorrect API key provided: sk-proj-…\\[redacted\\]`),
      );
      expect(result.stdout).not.toContain(KEY.slice(8));
      expect(result.code).toBe(0);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });
});
