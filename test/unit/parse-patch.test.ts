import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCodex } from '../../src/tools/apply-patch/parse-codex.js';
import { parseUnified } from '../../src/tools/apply-patch/parse-unified.js';
import { detectPatchFormat, parsePatch } from '../../src/tools/apply-patch/parse.js';
import { PatchSyntaxError, type AddFile, type FilePatch, type Hunk, type ParsedPatch, type UpdateFile } from '../../src/tools/apply-patch/types.js';

// ---------------------------------------------------------------------------------------------
// test-only helpers
// ---------------------------------------------------------------------------------------------

/**
 * Rebuilds the new text from the old one by applying each hunk exactly at its stated line —
 * no searching — so it checks that the parser read line numbers, counts and no-newline marks
 * right. A hunk with no old lines inserts after line `oldStart`, as diff numbers it.
 */
function applyAtOldStart(oldText: string, hunks: Hunk[]): string {
  const hadNewline = oldText.endsWith('\n');
  const oldLines = oldText === '' ? [] : (hadNewline ? oldText.slice(0, -1) : oldText).split('\n');
  const out: string[] = [];
  let next = 0;
  let endsWithNewline = hadNewline || oldText === '';
  for (const hunk of hunks) {
    const oldCount = hunk.lines.filter((line) => line.kind !== '+').length;
    const start = oldCount === 0 ? hunk.oldStart! : hunk.oldStart! - 1;
    out.push(...oldLines.slice(next, start));
    next = start;
    for (const line of hunk.lines) {
      if (line.kind !== '+') expect(oldLines[next++], `old line ${next} of the hunk at patch line ${hunk.patchLine}`).toBe(line.text);
      if (line.kind !== '-') out.push(line.text);
    }
    if (hunk.newNoNewline) endsWithNewline = false;
    else if (hunk.oldNoNewline) endsWithNewline = true;
  }
  out.push(...oldLines.slice(next));
  return out.length === 0 ? '' : out.join('\n') + (endsWithNewline ? '\n' : '');
}

function addedText(file: AddFile): string {
  return file.lines.length === 0 ? '' : file.lines.join('\n') + (file.noNewlineAtEnd ? '' : '\n');
}

function syntaxError(parse: () => unknown): PatchSyntaxError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(PatchSyntaxError);
    return error as PatchSyntaxError;
  }
  throw new Error('expected a PatchSyntaxError');
}

function summary(patch: ParsedPatch): string[] {
  return patch.files.map((file) => {
    const moved = file.action === 'update' && file.moveTo ? ` -> ${file.moveTo}` : '';
    const copied = file.action === 'copy' ? ` <- ${file.from}` : '';
    return `${file.action} ${file.path}${moved}${copied}`;
  });
}

function only<T extends FilePatch['action']>(patch: ParsedPatch, action: T): Extract<FilePatch, { action: T }> {
  expect(patch.files).toHaveLength(1);
  const file = patch.files[0]!;
  expect(file.action).toBe(action);
  return file as Extract<FilePatch, { action: T }>;
}

function hunk(lines: Hunk['lines'], extra: Partial<Hunk> = {}): Partial<Hunk> {
  return { anchors: [], lines, oldNoNewline: false, newNoNewline: false, atEnd: false, ...extra };
}

const ctx = (text: string) => ({ kind: ' ' as const, text });
const del = (text: string) => ({ kind: '-' as const, text });
const ins = (text: string) => ({ kind: '+' as const, text });

// ---------------------------------------------------------------------------------------------
// real git output from a temp clone of this repository
// ---------------------------------------------------------------------------------------------

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('unified diffs written by git (temp clone of this repository)', () => {
  let temp: string;
  let clone: string;

  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'core.quotepath=true', '-c', 'diff.renames=true', ...args], { cwd: clone, encoding: 'utf8', maxBuffer: 64 << 20 });
  const show = (rev: string, path: string): string => execFileSync('git', ['show', `${rev}:${path}`], { cwd: clone, encoding: 'utf8', maxBuffer: 64 << 20 });
  const worktree = (path: string): string => readFileSync(join(clone, path), 'utf8');

  /** Checks every file of `patch` rebuilds the `to` side from the `from` side. */
  function expectReproduces(patch: ParsedPatch, readOld: (path: string) => string, readNew: (path: string) => string): void {
    for (const file of patch.files) {
      if (file.action === 'add') expect(addedText(file), file.path).toBe(readNew(file.path));
      else if (file.action === 'delete') expect(applyAtOldStart(readOld(file.path), file.hunks), file.path).toBe('');
      else if (file.action === 'copy') expect(applyAtOldStart(readOld(file.from), file.hunks), file.path).toBe(readNew(file.path));
      else if (file.action === 'update') expect(applyAtOldStart(readOld(file.path), file.hunks), file.path).toBe(readNew(file.moveTo ?? file.path));
      else throw new Error(`a unified diff has no ${file.action} sections`);
    }
  }

  /** `git diff --name-status` in the parser's terms. */
  function nameStatus(...range: string[]): string[] {
    const actions: Record<string, string> = { A: 'add', M: 'update', D: 'delete', T: 'update' };
    return git('diff', '--name-status', '-M', ...range)
      .trim()
      .split('\n')
      .map((row) => {
        const [status, first, second] = row.split('\t') as [string, string, string?];
        if (status.startsWith('R')) return `update ${first} -> ${second}`;
        if (status.startsWith('C')) return `copy ${second} <- ${first}`;
        return `${actions[status]} ${first}`;
      });
  }

  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'baton-parse-patch-'));
    clone = join(temp, 'repo');
    execFileSync('git', ['clone', '--quiet', projectRoot, clone]);
    git('config', 'user.name', 'Baton Test');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'commit.gpgsign', 'false');
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  afterEach(() => {
    git('reset', '--quiet', '--hard');
    git('clean', '-fdq');
  });

  it('has history to read', () => {
    expect(git('rev-list', '--count', 'HEAD').trim()).toMatch(/^[4-9]|\d\d/);
  });

  for (const [from, to] of [
    ['HEAD~3', 'HEAD~2'],
    ['HEAD~2', 'HEAD~1'],
    ['HEAD~1', 'HEAD'],
  ] as const) {
    it(`reads git diff ${from} ${to}: every file, action and path, and rebuilds every new file from the old one`, () => {
      const text = git('diff', from, to);
      const patch = parsePatch(text);
      expect(patch.format).toBe('unified');
      expect(summary(patch).sort()).toEqual(nameStatus(from, to).sort());
      expectReproduces(
        patch,
        (path) => show(from, path),
        (path) => show(to, path),
      );
    });
  }

  /** The commit that first added `path`: history grows, so commits are found by what they did. */
  const commitAdding = (path: string): string => git('log', '--diff-filter=A', '--format=%H', '--', path).trim().split('\n').pop()!;

  it('reads a rename from history (git diff -M, the tags/ move of treesitter.ts)', () => {
    const commit = commitAdding('src/tools/repo-scan/tags/treesitter.ts');
    const patch = parsePatch(git('diff', '-M', `${commit}~1`, commit));
    const renames = patch.files.filter((file): file is UpdateFile => file.action === 'update' && file.moveTo !== undefined);
    expect(renames.length).toBeGreaterThan(0);
    expect(renames.map((file) => `${file.path} -> ${file.moveTo}`)).toContain('src/tools/repo-scan/treesitter.ts -> src/tools/repo-scan/tags/treesitter.ts');
  });

  it('reads git format-patch mail: commit message ignored, signature ignored, new file mode kept', () => {
    const commit = commitAdding('.ci/run');
    const text = git('format-patch', '-1', '--stdout', commit);
    expect(text).toMatch(/^Subject: /m);
    expect(text).toMatch(/^-- \n\d+\.\d+/m);
    const patch = parsePatch(text);
    expect(summary(patch).sort()).toEqual(nameStatus(`${commit}~1`, commit).sort());
    expectReproduces(
      patch,
      (path) => show(`${commit}~1`, path),
      (path) => show(commit, path),
    );
    const ciScript = patch.files.find((file) => file.path === '.ci/run') as AddFile;
    expect(ciScript).toMatchObject({ action: 'add', mode: 0o755 });
    const readme = patch.files.find((file) => file.path === 'README.md') as AddFile;
    expect(readme.mode).toBe(0o644);
  });

  it('reads several format-patch mails in one text (two commits, two signatures)', () => {
    // Two consecutive commits with one parent each: format-patch leaves merges out.
    const parents = new Map(
      git('rev-list', '--parents', '-n', '400', 'HEAD')
        .trim()
        .split('\n')
        .map((line) => {
          const [sha, ...rest] = line.split(' ');
          return [sha!, rest] as const;
        }),
    );
    const [last, [middle]] = [...parents].find(([, ps]) => ps.length === 1 && parents.get(ps[0]!)?.length === 1)!;
    const first = parents.get(middle!)![0]!;
    const text = git('format-patch', '--stdout', `${first}..${last}`);
    const patch = parsePatch(text);
    const expected = [...nameStatus(first, middle!), ...nameStatus(middle!, last)];
    expect(summary(patch).sort()).toEqual(expected.sort());
  });

  it('reads CRLF patch text like LF, each hunk line remembering its CRLF', () => {
    const text = git('diff', 'HEAD~2', 'HEAD~1');
    const crlf = parsePatch(text.replace(/\n/g, '\r\n'));
    expect(withoutCr(crlf)).toEqual(parsePatch(text));
    expect(crlf.files.flatMap((file) => ('hunks' in file ? file.hunks : [])).every((hunk) => hunk.lines.every((line) => line.cr))).toBe(true);
  });

  it('reads a rename with edits to a path with spaces (git mv, git diff --cached -M)', () => {
    git('mv', 'README.md', 'docs READ ME.md');
    writeFileSync(join(clone, 'docs READ ME.md'), worktree('docs READ ME.md').replace(/^# .*$/m, '# Changed title'));
    git('add', '-A');
    const text = git('diff', '--cached', '-M');
    expect(text).toContain('rename to docs READ ME.md');
    const file = only(parsePatch(text), 'update');
    expect(file).toMatchObject({ path: 'README.md', moveTo: 'docs READ ME.md', patchLine: 1 });
    expect(file.hunks).toHaveLength(1);
    expect(applyAtOldStart(show('HEAD', 'README.md'), file.hunks)).toBe(worktree('docs READ ME.md'));
  });

  it('reads a pure rename as an update with moveTo and no hunks', () => {
    git('mv', 'mcp.json', 'mcp.renamed.json');
    const file = only(parsePatch(git('diff', '--cached', '-M')), 'update');
    expect(file).toMatchObject({ path: 'mcp.json', moveTo: 'mcp.renamed.json', hunks: [] });
  });

  it('reads a copy (git diff -C --find-copies-harder)', () => {
    copyFileSync(join(clone, 'README.md'), join(clone, 'README.copy.md'));
    writeFileSync(join(clone, 'README.copy.md'), worktree('README.copy.md').replace(/^# .*$/m, '# A copy'));
    git('add', '-A');
    const text = git('diff', '--cached', '-C', '--find-copies-harder');
    expect(text).toContain('copy from README.md');
    const file = only(parsePatch(text), 'copy');
    expect(file).toMatchObject({ path: 'README.copy.md', from: 'README.md' });
    expect(applyAtOldStart(show('HEAD', 'README.md'), file.hunks)).toBe(worktree('README.copy.md'));
  });

  it('reads a pure mode change (chmod +x) and a mode change with edits', () => {
    chmodSync(join(clone, 'mcp.json'), 0o755);
    expect(only(parsePatch(git('diff')), 'update')).toMatchObject({ path: 'mcp.json', mode: 0o755, hunks: [] });
    writeFileSync(join(clone, 'mcp.json'), `${worktree('mcp.json')}\n`);
    const edited = only(parsePatch(git('diff')), 'update');
    expect(edited.mode).toBe(0o755);
    expect(applyAtOldStart(show('HEAD', 'mcp.json'), edited.hunks)).toBe(worktree('mcp.json'));
  });

  it('reads a deleted file (git rm) as delete with the old content as "-" lines', () => {
    git('rm', '--quiet', 'mcp.json');
    const file = only(parsePatch(git('diff', '--cached')), 'delete');
    expect(file.path).toBe('mcp.json');
    expect(applyAtOldStart(show('HEAD', 'mcp.json'), file.hunks)).toBe('');
  });

  it('reads an added empty file (no hunks) and a quoted non-ASCII path with spaces', () => {
    writeFileSync(join(clone, 'empty.txt'), '');
    writeFileSync(join(clone, 'spé ce.txt'), 'é\n');
    git('add', '-A');
    const text = git('diff', '--cached');
    expect(text).toContain('"b/sp\\303\\251 ce.txt"');
    const patch = parsePatch(text);
    expect(patch.files).toEqual([
      { action: 'add', path: 'empty.txt', lines: [], noNewlineAtEnd: false, mode: 0o644, patchLine: 1 },
      expect.objectContaining({ action: 'add', path: 'spé ce.txt', lines: ['é'], noNewlineAtEnd: false }),
    ]);
  });

  it('reads edits, a rename and a deletion of a quoted path', () => {
    writeFileSync(join(clone, 'spé ce.txt'), 'one\ntwo\n');
    writeFileSync(join(clone, 'tab\there.txt'), 'x\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'quoted names');
    writeFileSync(join(clone, 'spé ce.txt'), 'one\nTWO\n');
    git('mv', 'tab\there.txt', 'ünï.txt');
    git('add', '-A');
    const patch = parsePatch(git('diff', '--cached', '-M'));
    expect(summary(patch)).toEqual(['update spé ce.txt', 'update tab\there.txt -> ünï.txt']);
    expect(applyAtOldStart('one\ntwo\n', (patch.files[0] as UpdateFile).hunks)).toBe('one\nTWO\n');
  });

  it('reads git mnemonic prefixes (i/ w/) and --no-prefix', () => {
    writeFileSync(join(clone, 'mcp.json'), `${worktree('mcp.json')}\n`);
    const mnemonic = git('-c', 'diff.mnemonicPrefix=true', 'diff');
    expect(mnemonic).toContain('--- i/mcp.json');
    expect(summary(parsePatch(mnemonic))).toEqual(['update mcp.json']);
    const plain = git('diff', '--no-prefix');
    expect(plain).toContain('--- mcp.json');
    expect(summary(parsePatch(plain))).toEqual(['update mcp.json']);
    expect(applyAtOldStart(show('HEAD', 'mcp.json'), only(parsePatch(plain), 'update').hunks)).toBe(worktree('mcp.json'));
  });

  it('reads "\\ No newline at end of file" on the new side, the old side and both', () => {
    writeFileSync(join(clone, 'n.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'n');
    const cases: [string, Partial<Hunk>][] = [
      ['a\nb\nc\nd\ne\nf\ng\nH', { oldNoNewline: false, newNoNewline: true }],
      // The last line changes: the marks follow its '-' and its '+' line.
      ['a\nB\nc\nd\ne\nf\ng\nh', { oldNoNewline: true, newNoNewline: true }],
      // The last line is context: one mark after it stands for both sides.
      ['a\nB\nc\nd\ne\nF\ng\nh', { oldNoNewline: true, newNoNewline: true, lines: [ctx('c'), ctx('d'), ctx('e'), del('f'), ins('F'), ctx('g'), ctx('h')] }],
    ];
    for (const [content, marks] of cases) {
      writeFileSync(join(clone, 'n.txt'), content);
      git('add', '-A');
      const before = show('HEAD', 'n.txt');
      const file = only(parsePatch(git('diff', '--cached')), 'update');
      expect(file.hunks.at(-1)).toMatchObject(marks);
      expect(applyAtOldStart(before, file.hunks)).toBe(content);
      git('commit', '--quiet', '-m', 'step');
    }
    // Old side without a final newline, new side with one.
    writeFileSync(join(clone, 'n.txt'), 'a\nB\nc\nd\ne\nf\ng\nh\n');
    const file = only(parsePatch(git('diff')), 'update');
    expect(file.hunks[0]).toMatchObject({ oldNoNewline: true, newNoNewline: false });
    expect(applyAtOldStart(show('HEAD', 'n.txt'), file.hunks)).toBe('a\nB\nc\nd\ne\nf\ng\nh\n');
  });

  it('reads hunk headers without counts (git diff -U0: "@@ -3 +3 @@", pure insertions and deletions)', () => {
    const before = show('HEAD', 'README.md');
    const lines = before.split('\n');
    lines[2] = 'changed third line';
    lines.splice(6, 0, 'inserted one', 'inserted two');
    lines.splice(12, 1);
    writeFileSync(join(clone, 'README.md'), lines.join('\n'));
    const text = git('diff', '-U0');
    expect(text).toMatch(/^@@ -3 \+3 @@/m);
    const file = only(parsePatch(text), 'update');
    expect(file.hunks[0]).toMatchObject({ oldStart: 3, lines: [del(before.split('\n')[2]!), ins('changed third line')] });
    expect(applyAtOldStart(before, file.hunks)).toBe(worktree('README.md'));
  });

  it('refuses binary patches, with and without --binary', () => {
    writeFileSync(join(clone, 'bin.dat'), Buffer.from([0x78, 0, 0x79, 0]));
    git('add', '-A');
    for (const args of [
      ['diff', '--cached'],
      ['diff', '--cached', '--binary'],
    ]) {
      const error = syntaxError(() => parsePatch(git(...args)));
      expect(error.message).toMatch(/binary patches are not supported/);
      expect(error.patchLine).toBe(4);
    }
  });

  it('refuses symbolic links, naming the mode line', () => {
    symlinkSync('README.md', join(clone, 'link'));
    git('add', '-A');
    const error = syntaxError(() => parsePatch(git('diff', '--cached')));
    expect(error.message).toMatch(/patch line 2: symbolic links are not supported/);
  });
});

// ---------------------------------------------------------------------------------------------
// diff -u (the real binary)
// ---------------------------------------------------------------------------------------------

describe('unified diffs written by diff -u', () => {
  let temp: string;
  beforeAll(() => (temp = mkdtempSync(join(tmpdir(), 'baton-diff-u-'))));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  function diffU(...args: string[]): string {
    const result = spawnSync('diff', ['-u', ...args], { cwd: temp, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(1);
    return result.stdout;
  }

  it('drops the tab and timestamp after the names and takes the new name as the file', () => {
    writeFileSync(join(temp, 'old.txt'), 'one\ntwo\nthree\nfour\n');
    writeFileSync(join(temp, 'new.txt'), 'one\n2\nthree\nfour\nfive\n');
    const text = diffU('old.txt', 'new.txt');
    expect(text).toMatch(/^--- old\.txt\t\d{4}-/);
    const file = only(parsePatch(text), 'update');
    expect(file.path).toBe('new.txt');
    expect(applyAtOldStart('one\ntwo\nthree\nfour\n', file.hunks)).toBe('one\n2\nthree\nfour\nfive\n');
  });

  it('reads absolute paths as written', () => {
    writeFileSync(join(temp, 'x.txt'), 'x\n');
    writeFileSync(join(temp, 'y.txt'), 'y\n');
    expect(summary(parsePatch(diffU(join(temp, 'x.txt'), join(temp, 'y.txt'))))).toEqual([`update ${join(temp, 'y.txt')}`]);
  });

  it('reads no final newline on either side', () => {
    writeFileSync(join(temp, 'a.txt'), 'keep\nold');
    writeFileSync(join(temp, 'b.txt'), 'keep\nnew\n');
    const file = only(parsePatch(diffU('a.txt', 'b.txt')), 'update');
    expect(file.hunks[0]).toMatchObject({ oldStart: 1, lines: [ctx('keep'), del('old'), ins('new')], oldNoNewline: true, newNoNewline: false });
    expect(applyAtOldStart('keep\nold', file.hunks)).toBe('keep\nnew\n');
  });

  it('reads diff -N: a missing file is dated at the epoch, which means added or deleted', () => {
    writeFileSync(join(temp, 'made.txt'), 'a\nb\n');
    expect(only(parsePatch(diffU('-N', 'absent.txt', 'made.txt')), 'add')).toMatchObject({ path: 'made.txt', lines: ['a', 'b'] });
    expect(only(parsePatch(diffU('-N', 'made.txt', 'absent.txt')), 'delete')).toMatchObject({ path: 'made.txt' });
  });

  it('reads /dev/null on either side as an added or deleted file', () => {
    writeFileSync(join(temp, 'gone.txt'), 'bye\n');
    expect(only(parsePatch(diffU('gone.txt', '/dev/null')), 'delete').path).toBe('gone.txt');
    expect(only(parsePatch(diffU('/dev/null', 'gone.txt')), 'add')).toMatchObject({ path: 'gone.txt', lines: ['bye'] });
  });

  it('reads diff -ru output of two folders, skipping its "diff -ru" and "Only in" lines', () => {
    for (const side of ['left', 'right']) execFileSync('mkdir', ['-p', join(temp, side)]);
    writeFileSync(join(temp, 'left/f.txt'), '1\n2\n');
    writeFileSync(join(temp, 'right/f.txt'), '1\n3\n');
    writeFileSync(join(temp, 'left/g.txt'), 'g\n');
    writeFileSync(join(temp, 'right/g.txt'), 'G\n');
    writeFileSync(join(temp, 'right/only.txt'), 'o\n');
    const text = diffU('-r', 'left', 'right');
    expect(text).toContain('Only in right');
    expect(summary(parsePatch(text))).toEqual(['update right/f.txt', 'update right/g.txt']);
  });
});

// ---------------------------------------------------------------------------------------------
// hand-written unified shapes
// ---------------------------------------------------------------------------------------------

describe('unified diffs: hand-written shapes', () => {
  it('reads a diff inside a fenced block with prose around it', () => {
    const text = [
      'Here is the fix:',
      '',
      '```diff',
      '--- a/src/x.ts',
      '+++ b/src/x.ts',
      '@@ -1,2 +1,2 @@ export function x() {',
      ' keep',
      '-old',
      '+new',
      '```',
      '',
      'This changes old to new.',
    ].join('\n');
    const patch = parsePatch(text);
    expect(patch.files).toEqual([
      { action: 'update', path: 'src/x.ts', patchLine: 4, hunks: [hunk([ctx('keep'), del('old'), ins('new')], { oldStart: 1, patchLine: 6 })] },
    ]);
  });

  it('reads an empty line within the counts as context with empty text', () => {
    const file = only(parseUnified('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n'), 'update');
    expect(file.hunks[0]!.lines).toEqual([ctx('a'), ctx(''), del('b'), ins('c')]);
  });

  it('reads exactly the counts, so "--- " and "+++ " inside a hunk are lines, not headers', () => {
    const text = '--- a/f.sql\n+++ b/f.sql\n@@ -1,2 +1,2 @@\n--- old comment\n+++ new comment\n x\n';
    expect(only(parseUnified(text), 'update').hunks[0]!.lines).toEqual([del('-- old comment'), ins('++ new comment'), ctx('x')]);
  });

  it('reads "@@ -0,0 +1,2 @@" as an added file and oldStart 0', () => {
    const file = only(parseUnified('--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n'), 'add');
    expect(file).toEqual({ action: 'add', path: 'new.txt', lines: ['one', 'two'], noNewlineAtEnd: true, patchLine: 1 });
  });

  it('reads hunks whose header has no numbers ("@@ @@", "@@"), with blank context inside and spacing after', () => {
    const text = ['```', '--- a/f.py', '+++ b/f.py', '@@ @@', ' def f():', '-    return 1', '', '+    return 2', '', '@@', '-x', '+y', '', '```'].join('\n');
    const file = only(parsePatch(text), 'update');
    expect(file.hunks).toEqual([
      hunk([ctx('def f():'), del('    return 1'), ctx(''), ins('    return 2')], { patchLine: 4 }),
      hunk([del('x'), ins('y')], { patchLine: 10 }),
    ]);
    expect(file.hunks[0]!.oldStart).toBeUndefined();
  });

  it('reads a context "\\ No newline" as marking both sides', () => {
    const file = only(parseUnified('--- f\n+++ f\n@@ -1,2 +1,2 @@\n-a\n+b\n z\n\\ No newline at end of file\n'), 'update');
    expect(file.hunks[0]).toMatchObject({ oldNoNewline: true, newNoNewline: true });
  });

  it('strips a/ and b/ only as a pair, and keeps paths otherwise as written', () => {
    expect(summary(parseUnified('--- a/x\n+++ a/x\n@@ -1 +1 @@\n-1\n+2\n'))).toEqual(['update a/x']);
    expect(summary(parseUnified('--- ../up/x\n+++ ../up/x\n@@ -1 +1 @@\n-1\n+2\n'))).toEqual(['update ../up/x']);
    expect(summary(parseUnified('--- c/x\n+++ w/x\n@@ -1 +1 @@\n-1\n+2\n'))).toEqual(['update x']);
  });

  it('reads a diff --git section without ---/+++ lines (a model leaving them out)', () => {
    expect(summary(parseUnified('diff --git a/x.ts b/x.ts\n@@ -1 +1 @@\n-1\n+2\n'))).toEqual(['update x.ts']);
  });

  it('skips SVN "Index:" headers and reads its "(revision N)" suffixes as timestamps', () => {
    const text =
      'Index: src/a.c\n===================================================================\n--- src/a.c\t(revision 12)\n+++ src/a.c\t(working copy)\n@@ -1 +1 @@\n-a\n+b\n';
    expect(summary(parseUnified(text))).toEqual(['update src/a.c']);
  });

  it('reads old git "rename old/new" and dissimilarity lines', () => {
    const text = 'diff --git a/p b/q\ndissimilarity index 80%\nrename old p\nrename new q\n--- a/p\n+++ b/q\n@@ -1 +1 @@\n-x\n+y\n';
    expect(summary(parseUnified(text))).toEqual(['update p -> q']);
  });

  describe('errors name the patch line', () => {
    it('a hunk shorter than its header', () => {
      const error = syntaxError(() => parseUnified('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n@@ -9 +9 @@\n-x\n+y\n'));
      expect(error.patchLine).toBe(7);
      expect(error.message).toMatch(/hunk ends early at "@@ -9 \+9 @@".*counts 3 old and 3 new lines, the hunk has 2 and 2/);
    });

    it('a patch ending inside a hunk', () => {
      const error = syntaxError(() => parseUnified('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n'));
      expect(error.patchLine).toBe(3);
      expect(error.message).toMatch(/the patch ends inside a hunk/);
    });

    it('a hunk longer than its header', () => {
      const error = syntaxError(() => parseUnified('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n+c\n'));
      expect(error.patchLine).toBe(6);
      expect(error.message).toMatch(/more lines than its header says.*"\+c"/);
    });

    it('a hunk header without file header', () => {
      const error = syntaxError(() => parseUnified('some prose\n@@ -1 +1 @@\n-a\n+b\n'));
      expect(error.patchLine).toBe(2);
    });

    it('a line without prefix inside an uncounted hunk', () => {
      const error = syntaxError(() => parseUnified('--- a/f\n+++ b/f\n@@\n-a\nforgot the space\n+b\n'));
      expect(error.patchLine).toBe(5);
      expect(error.message).toContain('"forgot the space"');
    });

    it('a new file whose hunk removes lines', () => {
      expect(syntaxError(() => parseUnified('--- /dev/null\n+++ b/n\n@@ -1 +1 @@\n-a\n+b\n')).message).toMatch(/patch line 3: n is a new file/);
    });

    it('binary notices from diff -r', () => {
      expect(syntaxError(() => parseUnified('Binary files a/x.png and b/x.png differ\n')).message).toMatch(/binary patches are not supported/);
    });

    it('combined merge diffs', () => {
      expect(syntaxError(() => parsePatch('diff --cc f.txt\nindex 1,2..3\n')).message).toMatch(/combined/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Codex patches
// ---------------------------------------------------------------------------------------------

describe('Codex patches', () => {
  it('reads every section kind: add, delete, update with move, anchors, end of file', () => {
    const text = [
      '*** Begin Patch',
      '*** Add File: docs/new.md',
      '+# New',
      '+',
      '+text',
      '*** Delete File: old.txt',
      '*** Update File: src/app.py',
      '*** Move to: src/main.py',
      '@@ class App:',
      '@@     def run(self):',
      '-        return 1',
      '+        return 2',
      '@@',
      ' tail',
      '-last',
      '+LAST',
      '*** End of File',
      '*** End Patch',
    ].join('\n');
    const patch = parseCodex(text);
    expect(patch).toEqual({
      format: 'codex',
      files: [
        { action: 'add', path: 'docs/new.md', lines: ['# New', '', 'text'], noNewlineAtEnd: false, patchLine: 2 },
        { action: 'delete', path: 'old.txt', hunks: [], patchLine: 6 },
        {
          action: 'update',
          path: 'src/app.py',
          moveTo: 'src/main.py',
          patchLine: 7,
          hunks: [
            hunk([del('        return 1'), ins('        return 2')], { anchors: ['class App:', '    def run(self):'], patchLine: 9 }),
            hunk([ctx('tail'), del('last'), ins('LAST')], { atEnd: true, patchLine: 13 }),
          ],
        },
      ],
    });
  });

  it('reads a first chunk without @@', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a\n x\n-y\n+z\n*** End Patch\n'), 'update');
    expect(file.hunks).toEqual([hunk([ctx('x'), del('y'), ins('z')], { patchLine: 3 })]);
  });

  it('reads markers padded with whitespace', () => {
    const text = '  *** Begin Patch  \n\t*** Update File:   a.txt  \n @@ ignored? no: a context line\n-y\n+z\n   *** End Patch\t\n';
    const file = only(parseCodex(text), 'update');
    expect(file.path).toBe('a.txt');
    expect(file.hunks[0]!.lines).toEqual([ctx('@@ ignored? no: a context line'), del('y'), ins('z')]);
  });

  it('keeps an indented unknown *** line as a context line', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a.md\n *** not a marker\n-y\n+z\n*** End Patch'), 'update');
    expect(file.hunks[0]!.lines[0]).toEqual(ctx('*** not a marker'));
  });

  it('reads a heredoc wrapper, with or without *** End Patch before its terminator', () => {
    const body = '*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n';
    for (const text of [
      `apply_patch <<'EOF'\n${body}*** End Patch\nEOF\n`,
      `cat <<"PATCH" | apply_patch\n${body}*** End Patch\nPATCH`,
      `apply_patch <<'EOF'\n${body}EOF\n`,
      `bash -lc 'apply_patch <<-EOF\n${body}EOF\n'`,
    ]) {
      expect(detectPatchFormat(text)).toBe('codex');
      const file = only(parsePatch(text), 'update');
      expect(file.hunks).toEqual([hunk([del('x'), ins('y')], { patchLine: 4 })]);
    }
  });

  it('reads a patch inside a markdown fence, with or without *** End Patch', () => {
    for (const end of ['*** End Patch\n```', '```']) {
      const text = `Here you go:\n\`\`\`\n*** Begin Patch\n*** Add File: n.txt\n+hi\n${end}\nDone.`;
      expect(only(parsePatch(text), 'add')).toMatchObject({ path: 'n.txt', lines: ['hi'], patchLine: 4 });
    }
  });

  it('tolerates a missing *** End Patch at the end of the input', () => {
    expect(summary(parseCodex('*** Begin Patch\n*** Update File: a\n@@\n-x\n+y'))).toEqual(['update a']);
  });

  it('ignores blank lines between chunks and before markers', () => {
    const text = '*** Begin Patch\n*** Update File: a\n@@ one\n-x\n+y\n\n\n@@ two\n-p\n+q\n\n*** Update File: b\n-1\n+2\n\n*** End Patch\n';
    const patch = parseCodex(text);
    expect((patch.files[0] as UpdateFile).hunks).toEqual([
      hunk([del('x'), ins('y')], { anchors: ['one'], patchLine: 3 }),
      hunk([del('p'), ins('q')], { anchors: ['two'], patchLine: 8 }),
    ]);
    expect((patch.files[1] as UpdateFile).hunks[0]!.lines).toEqual([del('1'), ins('2')]);
  });

  it('reads a blank line inside a chunk (more chunk lines follow) as empty context', () => {
    const text = '*** Begin Patch\n*** Update File: a.py\n@@ def f():\n     a = 1\n\n-    return a\n+    return a + 1\n\n*** End Patch\n';
    const file = only(parseCodex(text), 'update');
    expect(file.hunks[0]!.lines).toEqual([ctx('    a = 1'), ctx(''), del('    return a'), ins('    return a + 1')]);
  });

  it('reads a blank line right after "@@" and before chunk lines as empty context', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a\n@@\n\n-x\n+y\n*** End Patch'), 'update');
    expect(file.hunks[0]!.lines).toEqual([ctx(''), del('x'), ins('y')]);
  });

  it('ignores a blank line right after "*** Update File:" when the first chunk has no "@@"', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a\n\n-x\n+y\n*** End Patch'), 'update');
    expect(file.hunks[0]!.lines).toEqual([del('x'), ins('y')]);
  });

  it('reads a blank line between "+" lines of an added file as an empty line, trailing ones as spacing', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Add File: a\n+one\n\n+three\n\n*** End Patch'), 'add');
    expect(file.lines).toEqual(['one', '', 'three']);
  });

  it('keeps an anchor exactly as written after "@@ "', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a\n@@   indented anchor  \n-x\n+y\n'), 'update');
    expect(file.hunks[0]!.anchors).toEqual(['  indented anchor  ']);
  });

  it('takes a unified "@@ -12,3 +12,4 @@" header in a Codex patch as the old start, not an anchor', () => {
    const file = only(parseCodex('*** Begin Patch\n*** Update File: a\n@@ -12,2 +12,2 @@\n-x\n+y\n'), 'update');
    expect(file.hunks[0]).toMatchObject({ oldStart: 12, anchors: [] });
  });

  it('reads a pure move (no chunks)', () => {
    expect(only(parseCodex('*** Begin Patch\n*** Update File: a\n*** Move to: b\n*** End Patch'), 'update')).toEqual({
      action: 'update',
      path: 'a',
      moveTo: 'b',
      hunks: [],
      patchLine: 2,
    });
  });

  it('reads CRLF Codex patches', () => {
    const text = '*** Begin Patch\n*** Update File: a\n@@ f\n-x\n+y\n*** End Patch\n';
    expect(withoutCr(parseCodex(text.replace(/\n/g, '\r\n')))).toEqual(parseCodex(text));
  });

  it('reads two patch blocks in one text', () => {
    const text = '*** Begin Patch\n*** Add File: a\n+1\n*** End Patch\nand also\n*** Begin Patch\n*** Delete File: b\n*** End Patch\n';
    expect(summary(parseCodex(text))).toEqual(['add a', 'delete b']);
  });

  it('reads a patch that forgot *** Begin Patch, also inside a heredoc', () => {
    expect(summary(parsePatch('*** Update File: a\n@@\n-x\n+y\n*** End Patch\n'))).toEqual(['update a']);
    expect(summary(parsePatch("apply_patch <<'EOF'\n*** Update File: a\n@@\n-x\n+y\nEOF\n"))).toEqual(['update a']);
  });

  describe('errors name the patch line', () => {
    const cases: [string, string, number, RegExp][] = [
      ['Update File with no chunks', '*** Begin Patch\n*** Update File: a\n*** Delete File: b\n*** End Patch', 2, /"\*\*\* Update File: a" has no chunks/],
      ['unknown marker', '*** Begin Patch\n*** Update File: a\n-x\n+y\n*** Rename File: a\n*** End Patch', 5, /unknown marker "\*\*\* Rename File: a"/],
      ['Add File line without +', '*** Begin Patch\n*** Add File: a\n+ok\nnot added\n*** End Patch', 4, /must start with "\+"; found "not added"/],
      ['chunk line with another character', '*** Begin Patch\n*** Update File: a\n@@\n x\n#y\n*** End Patch', 5, /chunk lines must start with.*found "#y"/],
      ['Move to not after Update File', '*** Begin Patch\n*** Update File: a\n-x\n+y\n\n*** Move to: b\n*** End Patch', 6, /Move to:" must come right after/],
      ['a chunk with no lines', '*** Begin Patch\n*** Update File: a\n@@ f\n@@ g\n*** End Patch', 3, /chunk has no lines/],
      ['End of File with nothing before it', '*** Begin Patch\n*** Update File: a\n@@\n*** End of File\n', 4, /End of File" must follow the lines of a chunk/],
      ['lines before any file section', '*** Begin Patch\n-x\n*** End Patch', 2, /expected "\*\*\* Add File:".*found "-x"/],
      ['a file marker without path', '*** Begin Patch\n*** Delete File:\n*** End Patch', 2, /names no file/],
      ['no file at all', '*** Begin Patch\n*** End Patch\n', 1, /changes no files/],
    ];
    for (const [what, text, line, message] of cases) {
      it(what, () => {
        const error = syntaxError(() => parseCodex(text));
        expect(error.patchLine).toBe(line);
        expect(error.message).toMatch(message);
        expect(error.message).toMatch(new RegExp(`^patch line ${line}: `));
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// format detection
// ---------------------------------------------------------------------------------------------

describe('format detection', () => {
  const detected: [string, string, 'unified' | 'codex'][] = [
    ['Codex', '*** Begin Patch\n*** Add File: a\n+x\n*** End Patch', 'codex'],
    ['padded Codex', '   *** Begin Patch \n*** Add File: a\n+x\n', 'codex'],
    ['Codex in a heredoc', "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\nEOF", 'codex'],
    ['Codex without Begin Patch', 'Sure:\n*** Update File: a\n-x\n+y', 'codex'],
    ['Codex adding a file that holds a diff', '*** Begin Patch\n*** Add File: d.patch\n+diff --git a/x b/x\n+--- a/x\n+++ b/x\n*** End Patch', 'codex'],
    ['git diff', 'diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 'unified'],
    ['diff -u', '--- x\t2024-01-01\n+++ y\t2024-01-01\n@@ -1 +1 @@\n-a\n+b\n', 'unified'],
    ['only a hunk header', 'prose\n@@ -1 +1 @@\n-a\n+b\n', 'unified'],
    [
      'a git diff of a file that holds a Codex patch',
      'diff --git a/t.md b/t.md\n--- a/t.md\n+++ b/t.md\n@@ -1,2 +1,2 @@\n *** Begin Patch\n-a\n+b\n',
      'unified',
    ],
    [
      'format-patch mail quoting a Codex patch in its message',
      'Subject: [PATCH] x\n\nUse:\n\n    *** Begin Patch\n    *** Add File: a\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n',
      'unified',
    ],
  ];
  for (const [what, text, format] of detected) {
    it(`detects ${what}`, () => expect(detectPatchFormat(text)).toBe(format));
  }

  it('parses by the detected format and honours an explicit one', () => {
    const codex = '*** Begin Patch\n*** Add File: a\n+x\n*** End Patch';
    expect(parsePatch(codex).format).toBe('codex');
    expect(parsePatch(codex, 'codex').format).toBe('codex');
    expect(syntaxError(() => parsePatch(codex, 'unified')).message).toMatch(/no file changes found/);
  });

  it('refuses a patch that is neither, showing its first non-blank line', () => {
    const error = syntaxError(() => parsePatch('\n\n  Please change foo to bar\nthanks\n'));
    expect(error.patchLine).toBe(3);
    expect(error.message).toBe(
      'patch line 3: neither a unified diff ("diff --git", "---"/"+++" lines, "@@ -l,s +l,s @@" hunks) nor a Codex patch ("*** Begin Patch"); it starts with "  Please change foo to bar"',
    );
  });

  it('refuses an empty patch', () => {
    expect(syntaxError(() => parsePatch(' \n\n')).message).toMatch(/patch line 1: the patch is empty/);
  });
});

/** The patch with the CRLF marks of its hunk lines left out. */
function withoutCr<T>(patch: T): T {
  return JSON.parse(JSON.stringify(patch, (key, value) => (key === 'cr' ? undefined : value)));
}
