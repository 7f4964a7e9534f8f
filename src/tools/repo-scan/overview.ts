import { detectTestRunners, readManifests, type DetectedRunner, type Manifest } from '../../core/project.js';
import type { Workspace } from '../../core/workspace.js';
import { comparePaths, countFileLines, listFiles, mapLimit } from '../../core/files.js';
import { git, gitStatus, hasSmallIndex } from '../../core/git.js';
import { languageTable, provenanceOf } from './languages.js';
import { Skips, type Skipped } from './skipped.js';

export interface LanguageStats {
  name: string;
  files: number;
  lines: number;
}

export interface Overview {
  git: { branch: string | null; head: string | null; dirty: boolean } | null;
  fileCount: number;
  /** The project's own code by language; vendored and generated files are counted apart. */
  languages: LanguageStats[];
  vendoredFiles: number;
  generatedFiles: number;
  manifests: Manifest[];
  testRunners: DetectedRunner[];
  /** Folders to `depth`, with how many files each holds. */
  tree: string;
  readme?: string | undefined;
  /** Listed files left unread: a symlink out of the root, a FIFO, a device. */
  skipped?: Skipped[];
  /** How many were left unread, when more than `skipped` names. */
  skippedTotal?: number;
}

/** Past this many files (untracked ones, beside a small index) `git grep` counts the lines after all. */
const SMALL_REPOSITORY_FILES = 500;
const TREE_DEPTH = 2;
const TREE_MAX_LINES = 60;
const README_MAX_LINES = 30;
/** More than the excerpt can show; a README is never read whole. */
const README_MAX_BYTES = 64 << 10;

export async function overview(workspace: Workspace): Promise<Overview> {
  // What needs no listing (git's status and line counts, the test runners) starts beside it,
  // and before git has said whether this is a repository at all: on a small repository these
  // processes are most of the call, and outside one the two git calls only fail.
  // A small repository's lines are counted here: reading a few files costs less than a process.
  const status = gitStatus(workspace.root);
  const gitLines = hasSmallIndex(workspace.root) ? undefined : gitLineCounts(workspace.root);
  const runners = detectTestRunners(workspace.root);
  for (const started of [status, gitLines, runners]) started?.catch(() => undefined); // awaited below, even when the listing fails first
  const files = await listFiles(workspace);
  const skips = new Skips();
  const lines = !files.git ? undefined : (gitLines ?? (files.paths.length > SMALL_REPOSITORY_FILES ? gitLineCounts(workspace.root) : undefined));
  const [gitState, languages, manifests, testRunners, readme] = await Promise.all([
    files.git ? status : null,
    languageStats(workspace, files.paths, lines, skips),
    readableManifests(workspace, files.paths, skips),
    runners,
    readmeExcerpt(workspace, files.paths, skips),
  ]);
  return {
    git: gitState,
    fileCount: files.paths.length,
    ...languages,
    manifests,
    testRunners,
    // A tree that lists every file when there are few enough to show them all.
    tree: files.paths.length <= TREE_MAX_LINES ? fileTree(files.paths) : folderTree(files.paths, TREE_DEPTH, TREE_MAX_LINES),
    ...(readme === undefined ? {} : { readme }),
    ...skips.fields(),
  };
}

async function languageStats(
  workspace: Workspace,
  paths: readonly string[],
  gitLines: Promise<Map<string, number>> | undefined,
  skips: Skips,
): Promise<Pick<Overview, 'languages' | 'vendoredFiles' | 'generatedFiles'>> {
  const table = await languageTable();
  const lines = gitLines ? await gitLines : await readLineCounts(workspace, paths, skips);
  const stats = new Map<string, LanguageStats>();
  let vendoredFiles = 0;
  let generatedFiles = 0;
  for (const path of paths) {
    const provenance = provenanceOf(path);
    if (provenance === 'vendored') vendoredFiles++;
    if (provenance === 'generated') generatedFiles++;
    const language = table.languageOf(path);
    if (provenance || !language) continue;
    const entry = stats.get(language) ?? { name: language, files: 0, lines: 0 };
    entry.files++;
    entry.lines += lines.get(path) ?? 0;
    stats.set(language, entry);
  }
  const languages = [...stats.values()].sort((a, b) => b.lines - a.lines || b.files - a.files || (a.name < b.name ? -1 : 1));
  return { languages, vendoredFiles, generatedFiles };
}

/** Lines per text file, counted by `git grep` (binary files are skipped, as git decides). */
async function gitLineCounts(root: string): Promise<Map<string, number>> {
  const { stdout } = await git(root, ['grep', '-c', '-z', '-I', '--untracked', '-e', ''], { okExitCodes: [0, 1] });
  const counts = new Map<string, number>();
  for (const record of stdout.split('\n')) {
    const nul = record.indexOf('\0');
    if (nul > 0) counts.set(record.slice(0, nul), Number(record.slice(nul + 1)));
  }
  return counts;
}

/** Lines per text file outside git, streamed a few files at a time: memory stays bounded whatever the files. */
async function readLineCounts(workspace: Workspace, paths: readonly string[], skips: Skips): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await mapLimit(paths, 8, async (path) => {
    const lines = await skips.read(path, () => countFileLines(workspace, path));
    if (lines !== undefined && lines !== null) counts.set(path, lines);
  });
  return counts;
}

/** The manifests' facts; one that cannot be read (a symlink out of the root) is reported instead. */
async function readableManifests(workspace: Workspace, paths: readonly string[], skips: Skips): Promise<Manifest[]> {
  const manifests = await readManifests(workspace.root, paths);
  await Promise.all(manifests.map((manifest) => skips.read(manifest.path, () => workspace.openFile(manifest.path).close())));
  const unread = new Set(skips.all.map((skipped) => skipped.path));
  return manifests.filter((manifest) => !unread.has(manifest.path));
}

/** Folders to `depth` levels with their file counts, biggest first within a level. */
/**
 * A small repository's tree names every file: a model that sees `src/ (2)` must call `tree`
 * before it knows what to read, where it could have known from the overview.
 */
export function fileTree(paths: readonly string[]): string {
  const lines: string[] = [`./ (${paths.length} files)`];
  let previous: string[] = [];
  for (const path of [...paths].sort(comparePaths)) {
    const parts = path.split('/');
    let same = 0;
    while (same < parts.length - 1 && same < previous.length - 1 && parts[same] === previous[same]) same++;
    for (let level = same; level < parts.length - 1; level++) lines.push(`${'  '.repeat(level + 1)}${parts[level]}/`);
    lines.push(`${'  '.repeat(parts.length)}${parts.at(-1)}`);
    previous = parts;
  }
  return lines.join('\n');
}

export function folderTree(paths: readonly string[], depth: number, maxLines: number): string {
  const counts = new Map<string, number>();
  let rootFiles = 0;
  for (const path of paths) {
    const parts = path.split('/');
    if (parts.length === 1) rootFiles++;
    for (let level = 1; level <= Math.min(depth, parts.length - 1); level++) {
      const folder = parts.slice(0, level).join('/');
      counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
  }
  const childrenOf = (parent: string): string[] =>
    [...counts.keys()]
      .filter((folder) => (parent ? folder.startsWith(parent + '/') && !folder.slice(parent.length + 1).includes('/') : !folder.includes('/')))
      .sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  const lines: string[] = [`./ (${paths.length} files, ${rootFiles} at top level)`];
  const visit = (parent: string, indent: string): void => {
    for (const folder of childrenOf(parent)) {
      if (lines.length >= maxLines) return;
      lines.push(`${indent}${folder.slice(folder.lastIndexOf('/') + 1)}/ (${counts.get(folder)})`);
      visit(folder, indent + '  ');
    }
  };
  visit('', '  ');
  const shown = lines.length - 1;
  if (shown < counts.size) lines.push(`  … ${counts.size - shown} more folders`);
  return lines.join('\n');
}

async function readmeExcerpt(workspace: Workspace, paths: readonly string[], skips: Skips): Promise<string | undefined> {
  const readme = paths.find((path) => /^readme(\.(md|markdown|rst|txt))?$/i.test(path));
  if (!readme) return undefined;
  const content = await skips.read(readme, () => workspace.readFile(readme, { maxBytes: README_MAX_BYTES, head: true }));
  if (content === undefined) return undefined;
  const lines = content.toString('utf8').split(/\r?\n/);
  return lines.slice(0, README_MAX_LINES).join('\n') + (lines.length > README_MAX_LINES ? '\n…' : '');
}
