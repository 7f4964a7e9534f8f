import type { Stats } from 'node:fs';
import { isPathError, type PathProblem } from '../../core/reading.js';
import type { Workspace } from '../../core/workspace.js';

/** A listed file a mode left unread, and why ("symlink leads outside the root, not read"). */
export interface Skipped {
  path: string;
  reason: string;
}

/** Listing modes name this many unread files at most; the rest are counted. */
const SHOWN = 10;

/**
 * The files a listing mode could not read. A file that is gone, is a folder (a submodule) or
 * is too big for the mode is left out silently, as before; one that says something about the
 * repository (a symlink out of the root, a FIFO or device, no permission) is reported.
 */
export class Skips {
  private readonly list: Skipped[] = [];

  /**
   * Runs the read of one listed file: its result, or undefined when the file cannot be read.
   * `notes` reports problems that usually go without saying (a file too big for this mode).
   */
  async read<T>(path: string, work: () => T | Promise<T>, notes: Partial<Record<PathProblem, string>> = {}): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      const reason = (isPathError(error) && notes[error.problem]) || skipReason(error);
      // Two parts of one mode may read the same file (overview: its lines and the README).
      if (reason && !this.list.some((skipped) => skipped.path === path)) this.list.push({ path, reason });
      return undefined;
    }
  }

  get all(): readonly Skipped[] {
    return this.list;
  }

  fields(): SkippedFields {
    return skippedFields(this.list);
  }
}

export interface SkippedFields {
  skipped?: Skipped[];
  /** How many files were left unread in all, when that is more than `skipped` names. */
  skippedTotal?: number;
}

/** The output fields for unread files: at most SHOWN, sorted, and how many in all when that is more. */
export function skippedFields(list: readonly Skipped[]): SkippedFields {
  if (!list.length) return {};
  const sorted = [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { skipped: sorted.slice(0, SHOWN), ...(sorted.length > SHOWN ? { skippedTotal: sorted.length } : {}) };
}

function skipReason(error: unknown): string | undefined {
  if (isPathError(error)) return error.note;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `could not be read (${code})`; // EIO, EMFILE: this file, not the call
  throw error;
}

/** The stats of a listed path that is not a plain file, through the workspace's checks. */
export function statThroughWorkspace(workspace: Workspace, path: string): Stats {
  const file = workspace.openFile(path);
  file.close();
  return file.stats;
}
