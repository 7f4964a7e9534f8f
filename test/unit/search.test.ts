import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/core/workspace.js';
import { searchFiles, type SearchQuery } from '../../src/tools/repo-scan/search.js';
import { searchThreads } from '../../src/tools/repo-scan/search-thread.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/**
 * Lines whose match column is easy to get wrong once it comes from `git grep` (a byte offset)
 * instead of the JS regex (a UTF-16 index): the contract's column is the JS one, 1-based.
 */
const TRICKY: Record<string, string> = {
  'accents.txt': 'héllo wörld foo\n',
  'emoji.txt': '😀 foo\n',
  'dot.txt': 'éx\n',
  'case.txt': 'CAFÉ café\n',
  'word.txt': 'é1 x\n',
  'crlf.txt': 'one\r\ntwö foo\r\n',
};
const CASES: Array<[SearchQuery, string]> = [
  [{ query: 'foo', regex: false }, 'accents.txt:1:13'],
  [{ query: 'foo', regex: false }, 'emoji.txt:1:4'],
  [{ query: '.x', regex: true }, 'dot.txt:1:1'],
  [{ query: 'café', regex: false }, 'case.txt:1:1'],
  [{ query: 'É', regex: false }, 'case.txt:1:4'],
  [{ query: '\\w+', regex: true }, 'word.txt:1:2'],
  [{ query: 'foo', regex: false }, 'crlf.txt:2:5'],
];
/** Not UTF-8: a Latin-1 é. Today's answer counts it as the one U+FFFD it decodes to. */
const LATIN1 = Buffer.from('caf\xe9 foo\n', 'latin1');

const LOCALE_VARIABLES = ['LC_ALL', 'LC_CTYPE', 'LANG'] as const;

describe('search', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: Workspace;
  let plain: Workspace;

  beforeAll(async () => {
    dir = await tempDir();
    await gitRepo(join(dir.path, 'repo'), TRICKY);
    await writeFile(join(dir.path, 'repo', 'latin1.txt'), LATIN1);
    await mkdir(join(dir.path, 'plain'));
    await writeFiles(join(dir.path, 'plain'), {
      ...TRICKY,
      'slow.txt': `fine\n${'a'.repeat(40)}b\n`,
      'ok.txt': 'aaa\n',
    });
    await writeFile(join(dir.path, 'plain', 'latin1.txt'), LATIN1);
    repo = await Workspace.open(join(dir.path, 'repo'));
    plain = await Workspace.open(join(dir.path, 'plain'));
  });
  afterAll(() => dir.cleanup());

  const located = async (workspace: Workspace, query: SearchQuery): Promise<string[]> =>
    (await searchFiles(workspace, query)).hits.map((hit) => `${hit.path}:${hit.line}:${hit.column}`);

  // MCP clients often start servers without any locale; git grep then matches bytes, not characters.
  describe.each([
    ['a UTF-8 locale', { LANG: 'C.UTF-8' }],
    ['no locale', {}],
  ])('columns inside git, with %s', (_, locale: Record<string, string>) => {
    let saved: Record<string, string | undefined>;
    beforeAll(() => {
      saved = Object.fromEntries(LOCALE_VARIABLES.map((name) => [name, process.env[name]]));
      for (const name of LOCALE_VARIABLES) delete process.env[name];
      Object.assign(process.env, locale);
    });
    afterAll(() => {
      for (const name of LOCALE_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it.each(CASES)('%j finds %s', async (query, expected) => {
      expect(await located(repo, query)).toContain(expected);
    });

    it('counts a byte that is not UTF-8 as the one character it decodes to', async () => {
      expect(await located(repo, { query: 'foo', regex: false, glob: 'latin1.txt' })).toEqual(['latin1.txt:1:6']);
    });
  });

  it('gives the same columns outside git', async () => {
    const tricky = (hits: string[]) => hits.filter((hit) => hit.split(':')[0]! in TRICKY);
    for (const [query] of CASES) expect(tricky(await located(plain, query))).toEqual(tricky(await located(repo, query)));
    expect(await located(plain, { query: 'foo', regex: false, glob: 'latin1.txt' })).toEqual(['latin1.txt:1:6']);
  });

  it('gives up on a regex that backtracks without end outside git, naming the file, and replaces the stuck worker', async () => {
    const before = searchThreads().spawned;
    await expect(located(plain, { query: 'a', regex: false, glob: 'ok.txt' })).resolves.toEqual(['ok.txt:1:1']);
    await expect(located(plain, { query: 'a', regex: false, glob: 'ok.txt' })).resolves.toEqual(['ok.txt:1:1']);
    expect(searchThreads().spawned - before).toBeLessThanOrEqual(1); // spawned lazily, then reused

    const stuck = searchFiles(plain, { query: '(a+)+$', regex: true }, 0, Infinity, { timeLimitMs: 300 });
    await expect(stuck).rejects.toMatchObject({
      name: 'UserError',
      message: 'the regex took longer than 0.3 s on slow.txt',
      hint: expect.stringMatching(/simplify/i),
    });
    const spawned = searchThreads().spawned;
    await expect(located(plain, { query: 'a', regex: false, glob: 'ok.txt' })).resolves.toEqual(['ok.txt:1:1']);
    expect(searchThreads().spawned).toBe(spawned + 1); // the stuck one was terminated
  });

  it('runs searches side by side and stops one when its call is cancelled', async () => {
    const cancel = new AbortController();
    const stuck = searchFiles(plain, { query: '(a+)+$', regex: true }, 0, Infinity, { signal: cancel.signal });
    const quick = located(plain, { query: 'foo', regex: false, glob: 'accents.txt' });
    await expect(quick).resolves.toEqual(['accents.txt:1:13']);
    cancel.abort();
    await expect(stuck).rejects.toMatchObject({ name: 'AbortError' });
    expect(searchThreads().busy).toBe(0);
  });

  it('explains a regex git grep gives up on', async () => {
    await writeFile(join(repo.root, 'slow.txt'), `${'a'.repeat(40)}b\n`);
    await expect(searchFiles(repo, { query: '(a+)+$', regex: true })).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringMatching(/regex .*backtrack/),
      hint: expect.stringMatching(/simplify/i),
    });
  });
});
