import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectTestRunners, readManifests, type DetectedRunner, type Manifest } from '../../core/project.js';
import type { Workspace } from '../../core/workspace.js';
import { isBinary, listFiles } from '../../core/files.js';
import { git, gitStatus } from '../../core/git.js';
import { languageTable, provenanceOf } from './languages.js';

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
  readme?: string;
}

const TREE_DEPTH = 2;
const TREE_MAX_LINES = 60;
const README_MAX_LINES = 30;

export async function overview(workspace: Workspace): Promise<Overview> {
  const files = await listFiles(workspace);
  const [gitState, languages, manifests, testRunners, readme] = await Promise.all([
    files.git ? gitStatus(workspace.root) : null,
    languageStats(workspace.root, files.paths, files.git),
    readManifests(workspace.root, files.paths),
    detectTestRunners(workspace.root),
    readmeExcerpt(workspace.root, files.paths),
  ]);
  return {
    git: gitState,
    fileCount: files.paths.length,
    ...languages,
    manifests,
    testRunners,
    tree: folderTree(files.paths, TREE_DEPTH, TREE_MAX_LINES),
    ...(readme === undefined ? {} : { readme }),
  };
}

async function languageStats(
  root: string,
  paths: readonly string[],
  inGit: boolean,
): Promise<Pick<Overview, 'languages' | 'vendoredFiles' | 'generatedFiles'>> {
  const table = await languageTable();
  const lines = inGit ? await gitLineCounts(root) : await readLineCounts(root, paths);
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

async function readLineCounts(root: string, paths: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await Promise.all(
    paths.map(async (path) => {
      const content = await readFile(join(root, path)).catch(() => undefined);
      if (!content || isBinary(content)) return;
      let lines = 0;
      for (let i = content.indexOf(10); i !== -1; i = content.indexOf(10, i + 1)) lines++;
      if (content.length && content[content.length - 1] !== 10) lines++;
      counts.set(path, lines);
    }),
  );
  return counts;
}

/** Folders to `depth` levels with their file counts, biggest first within a level. */
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

async function readmeExcerpt(root: string, paths: readonly string[]): Promise<string | undefined> {
  const readme = paths.find((path) => /^readme(\.(md|markdown|rst|txt))?$/i.test(path));
  if (!readme) return undefined;
  const text = await readFile(join(root, readme), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  return lines.slice(0, README_MAX_LINES).join('\n') + (lines.length > README_MAX_LINES ? '\n…' : '');
}
