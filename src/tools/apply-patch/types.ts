import { UserError } from '../../core/errors.js';

/**
 * A parsed patch, the same shape whichever format it came in, so matching and applying
 * know nothing of formats.
 */

export interface HunkLine {
  /** ' ' context, '-' removed, '+' added. */
  kind: ' ' | '-' | '+';
  /** The line without its prefix and without any line ending. */
  text: string;
  /**
   * The patch line ended in CRLF (else LF). A patch whose old lines match the file including
   * their endings writes its added lines with their own endings (a line-ending conversion).
   */
  cr?: true;
}

export interface Hunk {
  /** 1-based line of the first old line, when the patch states it (unified diffs). */
  oldStart?: number;
  /**
   * Codex `@@ <context>` lines: the hunk applies after a line matching each of these, in
   * order (usually one: the enclosing function or class).
   */
  anchors: string[];
  lines: HunkLine[];
  /** `\ No newline at end of file` came after the last old-side line. */
  oldNoNewline: boolean;
  /** `\ No newline at end of file` came after the last new-side line. */
  newNoNewline: boolean;
  /** Codex `*** End of File`: the hunk's old lines end where the file ends. */
  atEnd: boolean;
  /** 1-based line in the patch text where the hunk starts, for messages. */
  patchLine: number;
}

interface FilePatchBase {
  /** Root-relative path, `/`-separated, as the patch names it (prefixes like `a/` removed). */
  path: string;
  /**
   * The abbreviated git blob id of the old content (`index 3b18e51..a9c1f0e`), when given:
   * if the file still hashes to it, its line numbers can be trusted exactly.
   */
  oldBlob?: string;
  /** 1-based line in the patch text where this file's section starts. */
  patchLine: number;
}

export interface AddFile extends FilePatchBase {
  action: 'add';
  /** The new file's lines, without line endings. */
  lines: string[];
  /** The last line has no newline (`\ No newline at end of file`). */
  noNewlineAtEnd: boolean;
  /** File mode from `new file mode`, e.g. 0o755. */
  mode?: number;
}

export interface DeleteFile extends FilePatchBase {
  action: 'delete';
  /** Unified diffs carry the old content as one hunk of '-' lines; empty for Codex patches. */
  hunks: Hunk[];
}

export interface UpdateFile extends FilePatchBase {
  action: 'update';
  /** Rename target (`rename to`, `*** Move to:`). */
  moveTo?: string;
  hunks: Hunk[];
  /** New mode from `new mode`, e.g. 0o755. */
  mode?: number;
}

export interface CopyFile extends FilePatchBase {
  action: 'copy';
  /** `copy from`: the source, which stays as it is. `path` is the copy. */
  from: string;
  hunks: Hunk[];
  mode?: number;
}

/** One search/replace edit: `oldText` found in exactly one place (or every place, `replaceAll`). */
export interface SearchReplace {
  oldText: string;
  newText: string;
  replaceAll: boolean;
  /** The block's line in the patch text, or the edit's 1-based position in `edits`. */
  patchLine?: number;
}

/** Search/replace edits of one file, applied in order; an empty `oldText` on a missing file creates it. */
export interface EditFile extends FilePatchBase {
  action: 'edit';
  edits: SearchReplace[];
}

export type FilePatch = AddFile | DeleteFile | UpdateFile | CopyFile | EditFile;

export interface ParsedPatch {
  format: 'unified' | 'codex' | 'search-replace';
  files: FilePatch[];
}

/** A patch that cannot be read; says where. */
export class PatchSyntaxError extends UserError {
  constructor(
    message: string,
    /** 1-based line of the patch text. */
    readonly patchLine: number,
    hint = 'Fix the patch at that line and send it again',
  ) {
    super(`patch line ${patchLine}: ${message}`, hint);
  }
}
