import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultStateDir, loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/repo.js';

describe('config', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('has sensible defaults', () => {
    const config = loadConfig({}, {});
    expect(config.logLevel).toBe('info');
    expect(config.http).toMatchObject({ enabled: false, port: 8765, host: '127.0.0.1' });
    expect(config.env.pass).toEqual([]);
  });

  it('layers file < environment < flags', async () => {
    const file = join(dir.path, 'baton.json');
    await writeFile(file, JSON.stringify({ logLevel: 'debug', http: { port: 1000, host: '127.0.0.2' }, env: { pass: ['A_TOKEN'] } }));
    const config = loadConfig({ config: file, port: '3000' }, { BATON_HTTP_PORT: '2000', BATON_LOG_LEVEL: 'warning' });
    expect(config.logLevel).toBe('warning');
    expect(config.http.port).toBe(3000);
    expect(config.http.host).toBe('127.0.0.2');
    expect(config.env.pass).toEqual(['A_TOKEN']);
  });

  it('names the bad field, its source and the expected value', () => {
    expect(() => loadConfig({ logLevel: 'loud' }, {})).toThrow(/logLevel \(from flags\).*"debug"/);
    expect(() => loadConfig({}, { BATON_HTTP_PORT: 'eighty' })).toThrow(/http\.port \(from environment\).*number/);
    expect(() => loadConfig({ port: '70000' }, {})).toThrow(/http\.port \(from flags\)/);
  });

  it('names the file as the source of a bad value inside an array (a model table effort)', async () => {
    const file = join(dir.path, 'baton.json');
    await writeFile(file, JSON.stringify({ delegate: { models: { 'my-model': { contextWindow: 100_000, efforts: ['turbo'] } } } }));
    expect(() => loadConfig({ config: file }, {})).toThrow(`delegate.models.my-model.efforts.0 (from ${file})`);
    // A value the layer does not set is still the defaults' (an index past the end, an inherited name).
    expect(() => loadConfig({}, {})).not.toThrow();
  });

  it("accepts the Responses API's whole effort range in the model table", async () => {
    const file = join(dir.path, 'baton.json');
    await writeFile(
      file,
      JSON.stringify({
        delegate: { models: { 'all-efforts': { contextWindow: 100_000, efforts: ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] } } },
      }),
    );
    expect(loadConfig({ config: file }, {}).delegate.models['all-efforts']?.efforts).toHaveLength(7);
  });

  it('refuses unknown keys, unreadable files and invalid JSON', async () => {
    const file = join(dir.path, 'bad.json');
    await writeFile(file, JSON.stringify({ rooot: '/x' }));
    expect(() => loadConfig({ config: file }, {})).toThrow(/unrecognized key.*rooot|rooot/i);
    await writeFile(file, '{ not json');
    expect(() => loadConfig({ config: file }, {})).toThrow(/not valid JSON/);
    expect(() => loadConfig({ config: join(dir.path, 'missing.json') }, {})).toThrow(/cannot read config file.*ENOENT/);
  });

  it('puts state under XDG_STATE_HOME when set', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/baton');
  });
});
