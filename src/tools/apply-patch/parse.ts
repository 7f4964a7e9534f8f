import { isBeginPatchLine, isCodexFileMarkerLine, parseCodex } from './parse-codex.js';
import { parseUnified, showLine, splitPatchLines } from './parse-unified.js';
import { isSearchLine, parseSearchReplace } from './search-replace.js';
import { PatchSyntaxError, type ParsedPatch } from './types.js';

export type PatchFormat = 'auto' | 'unified' | 'codex' | 'search-replace';

/** Parses a patch in any format; `auto` decides by the patch's first telling line. */
export function parsePatch(text: string, format: PatchFormat = 'auto'): ParsedPatch {
  const chosen = format === 'auto' ? detectPatchFormat(text) : format;
  if (chosen === 'search-replace') return parseSearchReplace(text);
  return chosen === 'codex' ? parseCodex(text) : parseUnified(text);
}

const UNIFIED_HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;

/**
 * The format of a patch, from the first line that can only belong to one of them. The first
 * wins because each format can carry the other's markers as file content: a unified diff of a
 * test file may have ` *** Begin Patch` as a context line, which comes after its `diff --git`.
 * A `diff --git` line at the start of a line wins wherever it is: a Codex patch cannot hold
 * one (its lines start with a prefix), while a format-patch commit message above the diff may
 * quote an indented Codex patch.
 */
export function detectPatchFormat(text: string): 'unified' | 'codex' | 'search-replace' {
  const lines = splitPatchLines(text);
  if (lines.some((line) => line.startsWith('diff --git '))) return 'unified';
  for (const [index, line] of lines.entries()) {
    if (isBeginPatchLine(line) || isCodexFileMarkerLine(line)) return 'codex';
    if (isSearchLine(line)) return 'search-replace';
    if (isUnifiedSignal(lines, index)) return 'unified';
  }
  const firstText = lines.findIndex((line) => line.trim() !== '');
  if (firstText < 0) throw new PatchSyntaxError('the patch is empty', 1, 'Send a unified diff or a Codex patch');
  throw new PatchSyntaxError(
    `neither a unified diff ("diff --git", "---"/"+++" lines, "@@ -l,s +l,s @@" hunks) nor a Codex patch ("*** Begin Patch"); it starts with ${showLine(lines[firstText]!)}`,
    firstText + 1,
  );
}

function isUnifiedSignal(lines: string[], index: number): boolean {
  const line = lines[index]!;
  if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) return true;
  if (line.startsWith('--- ') && (lines[index + 1] ?? '').startsWith('+++ ')) return true;
  return UNIFIED_HUNK_HEADER.test(line);
}
