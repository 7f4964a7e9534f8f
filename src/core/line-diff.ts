import { formatPatch, type StructuredPatchHunk } from 'diff';

/**
 * A line diff for results (apply-patch's `diff`, undo's, delegate's snapshot): Myers' O(ND)
 * algorithm in linear space over the line arrays the callers already hold, so a few changes
 * in a long file cost little more than comparing it once. Lines are compared with their
 * endings: `a` ending in CRLF and `a` ending in LF differ, as they do on disk.
 */

/** A text as lines and the ending of each ('\n', '\r\n', or '' for a last line without one). */
export interface DiffLines {
  lines: readonly string[];
  endings: readonly string[];
}

/**
 * Steps (edit distance times lines) a middle snake may take before the region is reported as
 * one change: a shortest script for two long unrelated texts costs seconds and says no more
 * than "all of it changed".
 */
const MAX_SEARCH = 2 ** 25;

/** Lines `oldStart..oldEnd` of the old side became `newStart..newEnd` of the new (0-based, end excluded). */
export interface LineChange {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/** The changes from `a` to `b`, in order, none adjacent to the next: a shortest edit script. */
export function lineChanges(before: DiffLines, after: DiffLines): LineChange[] {
  const { lines: a, endings: aEndings } = before;
  const { lines: b, endings: bEndings } = after;
  const same = (i: number, j: number): boolean => a[i] === b[j] && aEndings[i] === bEndings[j];
  const changes: LineChange[] = [];
  const size = a.length + b.length + 1;
  const forward = new Int32Array(size);
  const backward = new Int32Array(size);

  const emit = (oldStart: number, oldEnd: number, newStart: number, newEnd: number): void => {
    const last = changes.at(-1);
    if (last && last.oldEnd === oldStart && last.newEnd === newStart) {
      last.oldEnd = oldEnd;
      last.newEnd = newEnd;
    } else changes.push({ oldStart, oldEnd, newStart, newEnd });
  };

  /**
   * The middle snake of a[aLo..aHi) against b[bLo..bHi) (both non-empty, differing at both
   * ends): the run of equal lines a shortest edit script passes halfway, found by searching
   * from both corners at once. Returned as [x, y, u, v]: a[x..u) equals b[y..v); undefined
   * when finding it would cost more than MAX_SEARCH (the sides have little in common).
   */
  const middleSnake = (aLo: number, aHi: number, bLo: number, bHi: number): [number, number, number, number] | undefined => {
    const n = aHi - aLo;
    const m = bHi - bLo;
    const delta = n - m;
    const odd = (delta & 1) !== 0;
    // forward[k + m]: the furthest x on diagonal k = x - y from the top left; backward: the same
    // from the bottom right (x counted from the right). Diagonals run from -m to n.
    let forwardLo = 0;
    let forwardHi = 0;
    let backwardLo = 0;
    let backwardHi = 0;
    forward[m] = 0;
    backward[m] = 0;
    const reach = (paths: Int32Array, lo: number, hi: number, k: number): number => (k >= lo && k <= hi ? paths[k + m]! : -1);
    for (let d = 0; ; d++) {
      if (d * (n + m) > MAX_SEARCH) return undefined;
      const lo = Math.max(-d, -m + ((d + m) & 1));
      const hi = Math.min(d, n - ((d + n) & 1));
      for (let k = lo; k <= hi; k += 2) {
        let x = d === 0 ? 0 : nextStep(reach(forward, forwardLo, forwardHi, k + 1), reach(forward, forwardLo, forwardHi, k - 1), k, n, m);
        if (x >= 0) {
          const x0 = x;
          while (x < n && x - k < m && same(aLo + x, bLo + x - k)) x++;
          const c = delta - k;
          if (odd && x + reach(backward, backwardLo, backwardHi, c) >= n && reach(backward, backwardLo, backwardHi, c) >= 0)
            return [aLo + x0, bLo + x0 - k, aLo + x, bLo + x - k];
        }
        forward[k + m] = x;
      }
      forwardLo = lo;
      forwardHi = hi;
      for (let k = lo; k <= hi; k += 2) {
        let x = d === 0 ? 0 : nextStep(reach(backward, backwardLo, backwardHi, k + 1), reach(backward, backwardLo, backwardHi, k - 1), k, n, m);
        if (x >= 0) {
          const x0 = x;
          while (x < n && x - k < m && same(aHi - 1 - x, bHi - 1 - (x - k))) x++;
          const c = delta - k;
          if (!odd && reach(forward, forwardLo, forwardHi, c) >= 0 && x + reach(forward, forwardLo, forwardHi, c) >= n)
            return [aHi - x, bHi - (x - k), aHi - x0, bHi - (x0 - k)];
        }
        backward[k + m] = x;
      }
      backwardLo = lo;
      backwardHi = hi;
    }
  };

  const compare = (aLo: number, aHi: number, bLo: number, bHi: number): void => {
    while (aLo < aHi && bLo < bHi && same(aLo, bLo)) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && same(aHi - 1, bHi - 1)) {
      aHi--;
      bHi--;
    }
    if (aLo === aHi || bLo === bHi) {
      if (aLo < aHi || bLo < bHi) emit(aLo, aHi, bLo, bHi);
      return;
    }
    const snake = middleSnake(aLo, aHi, bLo, bHi);
    if (!snake) {
      emit(aLo, aHi, bLo, bHi); // one change for the lot: correct, if not the shortest
      return;
    }
    const [x, y, u, v] = snake;
    compare(aLo, x, bLo, y);
    compare(u, aHi, v, bHi);
  };

  compare(0, a.length, 0, b.length);
  return changes;
}

/**
 * The furthest x on diagonal k one step on from its neighbours (-1: not reached): down from
 * k + 1 (a line of b inserted) or right from k - 1 (a line of a deleted), within the grid.
 */
function nextStep(fromAbove: number, fromLeft: number, k: number, n: number, m: number): number {
  const down = fromAbove >= 0 && fromAbove - k <= m ? fromAbove : -1;
  const right = fromLeft >= 0 && fromLeft + 1 <= n ? fromLeft + 1 : -1;
  return Math.max(down, right);
}

/**
 * A unified diff, git style (`a/`/`b/` names, `/dev/null` for a side that does not exist,
 * three lines of context), of two files given as their lines.
 */
export function unifiedDiffOfLines(
  path: { before?: string | undefined; after?: string | undefined },
  a: DiffLines,
  b: DiffLines,
  changes: readonly LineChange[] = lineChanges(a, b),
): string {
  const hunks: StructuredPatchHunk[] = [];
  const context = 3;
  let i = 0;
  while (i < changes.length) {
    // Changes closer than twice the context share a hunk.
    let j = i;
    while (j + 1 < changes.length && changes[j + 1]!.oldStart - changes[j]!.oldEnd <= 2 * context) j++;
    const first = changes[i]!;
    const last = changes[j]!;
    const oldFrom = Math.max(0, first.oldStart - context);
    const newFrom = first.newStart - (first.oldStart - oldFrom);
    const oldTo = Math.min(a.lines.length, last.oldEnd + context);
    const newTo = last.newEnd + (oldTo - last.oldEnd);
    const lines: string[] = [];
    let at = oldFrom;
    for (let c = i; c <= j; c++) {
      const change = changes[c]!;
      for (; at < change.oldStart; at++) pushLine(lines, ' ', a, at);
      for (let k = change.oldStart; k < change.oldEnd; k++) pushLine(lines, '-', a, k);
      for (let k = change.newStart; k < change.newEnd; k++) pushLine(lines, '+', b, k);
      at = change.oldEnd;
    }
    for (; at < oldTo; at++) pushLine(lines, ' ', a, at);
    hunks.push({ oldStart: oldFrom + 1, oldLines: oldTo - oldFrom, newStart: newFrom + 1, newLines: newTo - newFrom, lines });
    i = j + 1;
  }
  const oldFileName = path.before === undefined ? '/dev/null' : `a/${path.before}`;
  const newFileName = path.after === undefined ? '/dev/null' : `b/${path.after}`;
  return formatPatch({ oldFileName, newFileName, oldHeader: undefined, newHeader: undefined, hunks }).replace(/^=+\n/, '');
}

/** A diff line: a CR of its ending stays on it (as git shows it); a line without an ending is marked. */
function pushLine(out: string[], prefix: string, side: DiffLines, i: number): void {
  const ending = side.endings[i];
  out.push(prefix + side.lines[i]! + (ending === '\r\n' ? '\r' : ''));
  if (!ending) out.push('\\ No newline at end of file');
}

/** A text as diff lines: split at each '\n' (a CR before it is part of the ending). */
export function diffLinesOf(text: string): DiffLines {
  if (!text) return { lines: [], endings: [] };
  const lines = text.split('\n');
  const endings: string[] = lines.map(() => '\n');
  if (lines.at(-1) === '') {
    lines.pop();
    endings.pop();
  } else endings[endings.length - 1] = '';
  for (let i = 0; i < endings.length; i++) {
    if (endings[i] && lines[i]!.endsWith('\r')) {
      lines[i] = lines[i]!.slice(0, -1);
      endings[i] = '\r\n';
    }
  }
  return { lines, endings };
}
