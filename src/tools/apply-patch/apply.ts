import { createHash } from 'node:crypto';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { UserError } from '../../core/errors.js';
import type { WorkspaceState } from '../../core/state.js';
import { RootWriter, withPathLocks, type Workspace } from '../../core/workspace.js';
import { isBinary, unifiedDiff } from '../../core/files.js';
import { lineChanges, unifiedDiffOfLines, type DiffLines, type LineChange } from '../../core/line-diff.js';
import { applyHunks } from './apply-hunks.js';
import { applyEdits } from './search-replace.js';
import { introducedSyntaxErrors, isJudged, type SyntaxIssue } from './syntax.js';
import { loadCheckpoint, markUndone, newCheckpointId, saveCheckpoint, type PreImage } from './checkpoints.js';
import { beginJournal, contentHash, type JournalEntry } from './journal.js';
import type { ApplyPatchOutput, FileReport, PatchError } from './schema.js';
import { decodeText, diffLinesOfText, encodeText, textFromLines, withDefaultEol, type FileText } from './text.js';
import type { FilePatch, ParsedPatch } from './types.js';
import { WriteSetError, writeAllOrNothing, type Write } from './write-set.js';

export type { FileReport, PatchError };

/** What an apply or undo returns before the budget cuts its diff: the output schema's shape. */
export type ApplyResult = Omit<ApplyPatchOutput, 'truncated'>;

interface Services {
  workspace: Workspace;
  state: WorkspaceState;
}

/** One file's life during an apply: what it was, and what it will be. */
interface Slot {
  rel: string;
  abs: string;
  /** undefined: it did not exist. */
  original?: Buffer;
  /** The original as text, and decoded into lines (kept for the diff and the syntax guard). */
  originalString?: string;
  originalText?: FileText;
  originalMode?: number;
  /** null: absent (deleted, moved away, or never there). */
  current: FileText | null;
  newMode?: number | undefined;
}

/**
 * TESTS ONLY: `beforeWrites` runs after every path was resolved and checked and every hunk
 * verified, right before the first write, so a test can change the work tree at exactly
 * that moment (a folder swapped for a symbolic link). Never set outside tests.
 */
export const applyTestHooks: { beforeWrites?: () => Promise<void> } = {};

/**
 * Applies a parsed patch: every hunk of every file is verified in memory first, nothing is
 * written unless all fit; then a checkpoint of the pre-images is stored, files are written
 * atomically one by one, and if any write fails the ones already written are restored.
 */
export async function applyParsed(
  patch: ParsedPatch,
  services: Services,
  dryRun: boolean,
  patchEol: '\n' | '\r\n' = '\n',
  rejectSyntaxErrors = false,
): Promise<ApplyResult> {
  const { workspace } = services;
  const targets = await Promise.all(patch.files.flatMap((file) => touchedPaths(file)).map((rel) => resolveForWrite(workspace, rel)));
  return withPathLocks(targets, async () => {
    const slots = new Map<string, Slot>();
    const slot = async (rel: string): Promise<Slot> => {
      const abs = await resolveForWrite(workspace, rel);
      let existing = slots.get(abs);
      if (!existing) {
        existing = await loadSlot(abs, workspace.relative(abs), patchEol);
        slots.set(abs, existing);
      }
      return existing;
    };

    const files: FileReport[] = [];
    const errors: PatchError[] = [];
    for (const file of patch.files) {
      try {
        files.push(await applyFile(file, slot, patch.format, patchEol, errors));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        errors.push({ path: file.path, message: error.message });
        files.push({ path: file.path, action: reportedAction(file), additions: 0, deletions: 0, hunks: [] });
      }
    }

    const changed = [...slots.values()].filter(isChanged);
    const diffs = new LineDiffs();
    const diff = renderDiff(patch, changed, slots, workspace, diffs);
    const syntax = errors.length ? [] : await syntaxGuard(changed, diffs);
    if (rejectSyntaxErrors) {
      for (const issue of syntax)
        errors.push({ path: issue.path, message: `the edit introduces a syntax error at line ${issue.line}, column ${issue.column}: ${issue.message}` });
    }
    const guarded = syntax.length ? { syntax } : {};
    if (errors.length || dryRun) return { applied: errors.length === 0, dryRun, ...guarded, files, errors, diff };
    if (!changed.length) return { applied: true, dryRun, files, errors, diff };

    await applyTestHooks.beforeWrites?.();
    const checkpoint = newCheckpointId();
    const writes: Write[] = changed.map((s) => ({
      rel: s.rel,
      abs: s.abs,
      ...(s.current ? { after: finalBytes(s)! } : {}),
      ...(s.newMode === undefined ? {} : { afterMode: s.newMode }),
      ...(s.original ? { before: s.original } : {}),
      ...(s.originalMode === undefined ? {} : { beforeMode: s.originalMode }),
    }));
    const images = changed.map((s) => ({
      path: s.rel,
      ...(s.original ? { content: s.original } : {}),
      ...(s.originalMode === undefined ? {} : { mode: s.originalMode }),
    }));
    await journaledWrites(
      services.state,
      workspace,
      { kind: 'apply', checkpoint, files: writes.map((w) => ({ path: w.rel, after: w.after ? contentHash(w.after) : null })) },
      writes,
      {
        prepare: () => saveCheckpoint(services.state, checkpoint, images),
      },
    );
    return { applied: true, dryRun, checkpoint, ...guarded, files, errors, diff };
  });
}

/** Syntax errors the new contents introduce, file by file (see syntax.ts). */
async function syntaxGuard(changed: readonly Slot[], diffs: LineDiffs): Promise<SyntaxIssue[]> {
  const perFile = await Promise.all(
    changed.map((slot) => {
      if (!slot.current || !isJudged(slot.rel)) return [];
      return introducedSyntaxErrors(
        slot.rel,
        slot.originalString !== undefined ? { text: slot.originalString, ...diffs.before(slot) } : undefined,
        { text: finalText(slot.current), ...diffs.after(slot) },
        slot.original ? diffs.changes(slot, slot) : undefined,
      );
    }),
  );
  return perFile.flat();
}

const NO_LINES: DiffLines = { lines: [], endings: [] };

/**
 * Each changed file's lines before and after, and the line changes between them, worked out
 * once for both the diff and the syntax guard.
 */
class LineDiffs {
  private readonly lines = new Map<Slot, { before?: DiffLines; after?: DiffLines }>();
  private readonly found = new Map<Slot, Map<Slot, LineChange[]>>();

  before(slot: Slot): DiffLines {
    const entry = this.entry(slot);
    entry.before ??= slot.originalText ? diffLinesOfText(slot.originalText) : NO_LINES;
    return entry.before;
  }

  after(slot: Slot): DiffLines {
    const entry = this.entry(slot);
    entry.after ??= slot.current ? diffLinesOfText(slot.current) : NO_LINES;
    return entry.after;
  }

  /** From `from`'s original to `to`'s new content. */
  changes(from: Slot, to: Slot): LineChange[] {
    const byTarget = this.found.get(from) ?? new Map<Slot, LineChange[]>();
    this.found.set(from, byTarget);
    const changes = byTarget.get(to) ?? lineChanges(this.before(from), this.after(to));
    byTarget.set(to, changes);
    return changes;
  }

  private entry(slot: Slot): { before?: DiffLines; after?: DiffLines } {
    const entry = this.lines.get(slot) ?? {};
    this.lines.set(slot, entry);
    return entry;
  }
}

function touchedPaths(file: FilePatch): string[] {
  if (file.action === 'update' && file.moveTo) return [file.path, file.moveTo];
  if (file.action === 'copy') return [file.from, file.path];
  return [file.path];
}

function reportedAction(file: FilePatch): FileReport['action'] {
  if (file.action === 'copy') return 'add';
  if (file.action === 'update' && file.moveTo) return 'move';
  if (file.action === 'edit') return 'update';
  return file.action;
}

async function resolveForWrite(workspace: Workspace, rel: string): Promise<string> {
  const abs = await workspace.resolve(rel, { forWrite: true });
  // Patch the file a symlink inside the root points at, not the link itself.
  return realpath(abs).catch(() => abs);
}

async function loadSlot(abs: string, rel: string, patchEol: '\n' | '\r\n'): Promise<Slot> {
  const info = await lstat(abs).catch(() => undefined);
  if (!info) return { rel, abs, current: null };
  if (info.isDirectory()) throw new UserError(`"${rel}" is a folder`, 'A patch changes files; name a file');
  const original = await readFile(abs);
  if (isBinary(original)) throw new UserError(`"${rel}" is a binary file`, 'Baton patches text files only');
  const originalString = original.toString('utf8');
  const originalText = decodeText(originalString);
  return { rel, abs, original, originalString, originalText, originalMode: info.mode & 0o7777, current: withDefaultEol(originalText, patchEol) };
}

type SlotOf = (rel: string) => Promise<Slot>;

async function applyFile(file: FilePatch, slotOf: SlotOf, format: ParsedPatch['format'], patchEol: '\n' | '\r\n', errors: PatchError[]): Promise<FileReport> {
  const report = (action: FileReport['action'], extra: Partial<FileReport> = {}): FileReport => ({
    path: file.path,
    action,
    additions: 0,
    deletions: 0,
    hunks: [],
    ...extra,
  });

  if (file.action === 'edit') {
    const target = await slotOf(file.path);
    const existed = target.current !== null;
    const result = applyEdits(target.current, file.edits, patchEol);
    for (const error of result.errors) errors.push({ path: file.path, ...error });
    if (!result.errors.length) target.current = result.text;
    return report(existed ? 'update' : 'add', { additions: result.additions, deletions: result.deletions, hunks: result.reports });
  }

  if (file.action === 'add') {
    const target = await slotOf(file.path);
    const text = textFromLines(file.lines, !file.noNewlineAtEnd, patchEol);
    // Codex's apply_patch replaces a file that exists; git apply refuses.
    const overwritten = target.current !== null && encodeText(target.current) !== encodeText(text);
    if (overwritten && format !== 'codex') {
      throw new UserError(`"${file.path}" already exists`, 'Use an update (a diff against the current content) instead of adding the file');
    }
    target.current = text;
    if (file.mode !== undefined) target.newMode = file.mode;
    return report('add', { additions: file.lines.length, ...(overwritten ? { overwritten } : {}) });
  }

  const source = await slotOf(file.action === 'copy' ? file.from : file.path);
  if (!source.current) throw new UserError(`"${file.action === 'copy' ? file.from : file.path}" does not exist`, 'Check the path; to create a file, add it');
  const result = applyHunks(source.current, file.hunks, {
    format: format === 'codex' ? 'codex' : 'unified',
    patchEndings: true,
    unchangedSinceDiff: sameBlob(source, file.oldBlob),
  });
  for (const error of result.errors) errors.push({ path: file.path, ...error });
  const counts = { additions: result.additions, deletions: result.deletions, hunks: result.reports };
  if (result.errors.length) return report(reportedAction(file), counts);

  if (file.action === 'delete') {
    // A unified deletion lists the old content (checked here); a Codex one lists nothing.
    if (file.hunks.length && result.text.lines.length) {
      throw new UserError(`"${file.path}" has lines the deletion does not list`, 'Re-read the file and delete it with its current content');
    }
    source.current = null;
    return report('delete', { ...counts, deletions: counts.deletions || source.original?.toString().split('\n').length || 0 });
  }
  if (file.action === 'copy' || (file.action === 'update' && file.moveTo && file.moveTo !== file.path)) {
    const destination = file.action === 'copy' ? file.path : file.moveTo!;
    const target = await slotOf(destination);
    // Codex's apply_patch replaces an existing destination of `*** Move to`; git apply refuses.
    const overwritten = target.current !== null;
    if (overwritten && !(format === 'codex' && file.action === 'update')) {
      throw new UserError(`"${destination}" already exists`, 'Move or copy to a path that is free, or delete it first');
    }
    target.current = result.text;
    target.newMode = file.mode ?? source.originalMode;
    if (file.action === 'update') source.current = null;
    return file.action === 'copy'
      ? { ...report('add', counts), from: file.from }
      : { ...report('move', counts), path: destination, from: file.path, ...(overwritten ? { overwritten } : {}) };
  }
  source.current = result.text;
  if (file.mode !== undefined) source.newMode = file.mode;
  return report('update', counts);
}

/** Whether the file still is the blob the diff's `index` line names. */
function sameBlob(slot: Slot, oldBlob: string | undefined): boolean {
  if (!oldBlob || !slot.original || /^0+$/.test(oldBlob)) return false;
  const id = createHash('sha1').update(`blob ${slot.original.length}\0`).update(slot.original).digest('hex');
  return id.startsWith(oldBlob.toLowerCase());
}

/** A slot's new text and its bytes, encoded once per content. */
const encoded = new WeakMap<FileText, { text: string; bytes?: Buffer }>();
function encodingOf(file: FileText): { text: string; bytes?: Buffer } {
  const entry = encoded.get(file) ?? { text: encodeText(file) };
  encoded.set(file, entry);
  return entry;
}

function finalText(file: FileText): string {
  return encodingOf(file).text;
}

function finalBytes(slot: Slot): Buffer | undefined {
  if (!slot.current) return undefined;
  const entry = encodingOf(slot.current);
  entry.bytes ??= Buffer.from(entry.text);
  return entry.bytes;
}

function isChanged(slot: Slot): boolean {
  const final = finalBytes(slot);
  if (!final || !slot.original) return Boolean(final) !== Boolean(slot.original);
  return !final.equals(slot.original) || (slot.newMode !== undefined && slot.newMode !== slot.originalMode);
}

/**
 * Writes a set under a journal: the intent (and, through `prepare`, the checkpoint) durable
 * before the first write, removed after the last. A failed write puts the set back at once;
 * only if that fails too, or the process dies, is the journal left for start-up recovery.
 */
async function journaledWrites(
  state: WorkspaceState,
  workspace: Workspace,
  entry: Omit<JournalEntry, 'tag'>,
  writes: readonly Write[],
  steps: { prepare?: () => Promise<void>; finish?: () => Promise<void> },
): Promise<void> {
  const writer = new RootWriter(workspace.root);
  try {
    // The checkpoint and the journal are written side by side: their fsyncs overlap.
    const [prepared, journal] = await Promise.allSettled([steps.prepare?.(), beginJournal(state, { ...entry, tag: writer.tempTag })]);
    if (prepared.status === 'rejected' || journal.status === 'rejected') {
      if (journal.status === 'fulfilled') await journal.value.done();
      throw prepared.status === 'rejected' ? prepared.reason : (journal as PromiseRejectedResult).reason;
    }
    try {
      await writeAllOrNothing(writer, writes);
    } catch (error) {
      if (!(error instanceof WriteSetError)) throw error;
      if (error.unrestored.length) {
        throw new UserError(
          `${error.message}. {"undo": "${entry.checkpoint}"} puts ${entry.kind === 'apply' ? 'them' : 'the set'} back, and so does Baton's next start`,
          error.hint,
        );
      }
      if (entry.kind === 'apply') await markUndone(state, entry.checkpoint, 'rolled back because a write failed');
      await journal.value.done();
      throw error;
    }
    await steps.finish?.();
    await journal.value.done();
  } finally {
    await writer.close();
  }
}

/** The unified diff of what was (or would be) written, file by file in patch order. */
function renderDiff(patch: ParsedPatch, changed: readonly Slot[], slots: Map<string, Slot>, workspace: Workspace, diffs: LineDiffs): string {
  const changedSet = new Set(changed);
  const byRel = new Map([...slots.values()].map((slot) => [slot.rel, slot]));
  const shown = new Set<Slot>();
  const parts: string[] = [];
  const add = (from: Slot | undefined, to: Slot | undefined): void => {
    const names = { before: from?.original ? from.rel : undefined, after: to?.current ? to.rel : undefined };
    if (from && to) parts.push(unifiedDiffOfLines(names, diffs.before(from), diffs.after(to), diffs.changes(from, to)));
    else parts.push(unifiedDiffOfLines(names, from ? diffs.before(from) : NO_LINES, to ? diffs.after(to) : NO_LINES));
    if (from) shown.add(from);
    if (to) shown.add(to);
  };
  for (const file of patch.files) {
    const rel = (path: string): Slot | undefined => byRel.get(workspace.relative(workspace.resolveLexically(path)));
    if (file.action === 'update' && file.moveTo) add(rel(file.path), rel(file.moveTo));
    else if (file.action === 'copy') add(undefined, rel(file.path));
    else {
      const slot = rel(file.path);
      if (slot && changedSet.has(slot) && !shown.has(slot)) add(slot, slot);
    }
  }
  for (const slot of changed) if (!shown.has(slot)) add(slot, slot);
  return parts.join('');
}

/** Restores a checkpoint's pre-images byte for byte. */
export async function undoCheckpoint(id: string, services: Services): Promise<ApplyResult> {
  const { workspace, state } = services;
  const images = await loadCheckpoint(state, id);
  const slots = await Promise.all(
    images.map(async (image: PreImage) => {
      const abs = await resolveForWrite(workspace, image.path);
      return { image, abs };
    }),
  );
  return withPathLocks(
    slots.map((s) => s.abs),
    async () => {
      const files: FileReport[] = [];
      const parts: string[] = [];
      for (const { image, abs } of slots) {
        const now = await readFile(abs).catch(() => undefined);
        const action: FileReport['action'] = !image.content ? 'delete' : now ? 'update' : 'add';
        const before = now?.toString('utf8') ?? '';
        const after = image.content?.toString('utf8') ?? '';
        parts.push(unifiedDiff({ before: now ? image.path : undefined, after: image.content ? image.path : undefined }, before, after));
        files.push({ path: image.path, action, additions: 0, deletions: 0, hunks: [] });
      }
      // The exact bytes of the pre-images go back, not a re-encoding of them.
      const writes = await Promise.all(
        slots.map(async ({ image, abs }) => {
          const now = await lstat(abs).catch(() => undefined);
          return {
            rel: image.path,
            abs,
            ...(image.content ? { after: image.content } : {}),
            ...(image.mode === undefined ? {} : { afterMode: image.mode }),
            ...(now ? { before: await readFile(abs), beforeMode: now.mode & 0o7777 } : {}),
          };
        }),
      );
      // An interrupted undo is finished at start-up (its target is the checkpoint itself).
      await journaledWrites(state, workspace, { kind: 'undo', checkpoint: id, files: writes.map((w) => ({ path: w.rel })) }, writes, {
        finish: () => markUndone(state, id),
      });
      return { applied: true, dryRun: false, files, errors: [], diff: parts.join('') };
    },
  );
}
