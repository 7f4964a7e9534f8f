import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/core/budget.js';
import { isUserError } from '../../src/core/errors.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput, type RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/**
 * read pages any file in bounded memory, continues inside a line longer than a page, and
 * answers a path the OS refuses as the user's mistake, not a bug.
 */
describe('repo-scan read', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let plainServices: { workspace: Workspace; state: WorkspaceState };
  const scan = (input: Partial<RepoScanInput> & { mode: RepoScanInput['mode'] }, on = plainServices) => repoScan(RepoScanInput.parse(input), on);

  beforeAll(async () => {
    dir = await tempDir();
    const plain = join(dir.path, 'plain');
    await writeFiles(plain, { 'real.txt': 'inside\n' });
    const workspace = await Workspace.open(plain);
    plainServices = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterAll(() => dir.cleanup());

  it("reads a file that holds a tokenizer's special-token text (counted as text, not refused)", async () => {
    // Tokenizer sources and model transcripts hold these strings; counting them must not fail.
    const text = Array.from({ length: 400 }, (_, i) => `line ${i}: <|endoftext|> <|im_start|>user`).join('\n');
    await writeFile(join(plainServices.workspace.root, 'special.txt'), text);
    const pages = await readAll('special.txt', 500);
    expect(pages.map((page) => page.text).join('\n')).toBe(text);
  });

  /** Every page of a read, checking each stays in budget and moves on. */
  const readAll = async (path: string, maxTokens: number): Promise<RepoScanOutput[]> => {
    const pages: RepoScanOutput[] = [];
    let cursor: string | undefined;
    do {
      const page = await scan({ mode: 'read', path, maxTokens, cursor });
      expect(await countTokens(renderScan(page))).toBeLessThanOrEqual(maxTokens);
      expect(page.text).not.toBe('');
      expect(page.nextCursor).not.toBe(cursor);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 1000);
    expect(cursor).toBeUndefined();
    return pages;
  };
  /** The pages' texts joined back: a page that continues a line joins it without a line break. */
  const reassemble = (pages: readonly RepoScanOutput[]): string => pages.map((page, i) => (i && !page.startColumn ? '\n' : '') + page.text!).join('');

  const line = Array.from({ length: 20000 }, (_, i) => `w${(i * 7919) % 10007}`)
    .join(' ')
    .slice(0, 100_000);

  it('pages a single line longer than the budget to its end, continuing inside it, and reassembles it exactly', async () => {
    expect(line).toHaveLength(100_000);
    await writeFile(join(plainServices.workspace.root, 'one-line.txt'), line);
    const pages = await readAll('one-line.txt', 500);
    expect(pages.length).toBeGreaterThan(20);
    expect(reassemble(pages)).toBe(line);
    expect(pages.every((p) => p.startLine === 1 && p.endLine === 1 && p.totalLines === 1)).toBe(true);
    expect(pages[0]).toMatchObject({ endColumn: pages[0]!.text!.length });
    expect(pages[1]).toMatchObject({ startColumn: pages[0]!.text!.length + 1 });
    expect(renderScan(pages[1]!)).toMatch(/^one-line\.txt lines 1-1 of 1 \(line 1 from column \d+; line 1 continues after column \d+\)/);
  });

  it('goes on with the next lines after a long one', async () => {
    await writeFile(join(plainServices.workspace.root, 'long.txt'), `first\n${line}\nlast\n`);
    const pages = await readAll('long.txt', 500);
    expect(reassemble(pages)).toBe(`first\n${line}\nlast`);
    expect(pages.every((p) => p.totalLines === 3)).toBe(true);
    expect(pages[2]).toMatchObject({ startLine: 2, endLine: 2 });
    expect(renderScan(pages[2]!)).toMatch(/line 2 continues/);
    expect(pages.at(-1)).toMatchObject({ endLine: 3, truncated: false });
  });

  it('pages a long line the same way in a file big enough to be streamed', async () => {
    const line = 'lorem ipsum dolor sit amet '.repeat(120_000); // 3.2 MB: above the size read whole
    await writeFile(join(plainServices.workspace.root, 'huge-line.txt'), `${line}\nend\n`);
    const first = await scan({ mode: 'read', path: 'huge-line.txt', maxTokens: 2000 }, plainServices);
    expect(first).toMatchObject({ startLine: 1, endLine: 1, totalLines: 2, truncated: true });
    expect(first.text!.length).toBeGreaterThan(0);
    const second = await scan({ mode: 'read', path: 'huge-line.txt', maxTokens: 2000, cursor: first.nextCursor }, plainServices);
    expect(second.startColumn).toBe(first.text!.length + 1);
    const last = await scan({ mode: 'read', path: 'huge-line.txt', startLine: 2 }, plainServices);
    expect(last.text).toBe('end');
  });

  it('turns OS errors on a user path into user errors', async () => {
    const cases: Array<[string, RegExp]> = [
      ['a'.repeat(5000), /too long/],
      [`${'d/'.repeat(2100)}x`, /too long/],
      ['loop/x', /symlink loop/],
      ['real.txt/x', /not a folder|does not exist/],
    ];
    await symlink('loop', join(plainServices.workspace.root, 'loop'));
    for (const [path, message] of cases) {
      for (const mode of ['read', 'tree'] as const) {
        const error = await scan({ mode, path }, plainServices).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isUserError(error), `${mode} ${path.slice(0, 20)}: ${String(error).slice(0, 200)}`).toBe(true);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message.length).toBeLessThan(300);
      }
    }
  });

  it('reads a normal file as before', async () => {
    await mkdir(join(plainServices.workspace.root, 'n'), { recursive: true });
    await writeFile(join(plainServices.workspace.root, 'n', 'ok.txt'), 'one\r\ntwo\n');
    const result = await scan({ mode: 'read', path: 'n/ok.txt' }, plainServices);
    expect(result).toMatchObject({ path: 'n/ok.txt', startLine: 1, endLine: 2, totalLines: 2, text: 'one\ntwo', truncated: false });
    expect(result.startColumn).toBeUndefined();
  });
});
