import type { Parser, Tree } from 'web-tree-sitter';
import type { DiffLines, LineChange } from '../../core/line-diff.js';
import type { GrammarName } from '../../core/treesitter.js';
import { type Family, familyOf, TopLevelScanner, topLevelStarts } from './top-level.js';

/**
 * The syntax guard's quick answer for the first edit of a file: instead of parsing the whole
 * old text, parse only the regions around the changed lines, old and new, each on its own.
 *
 * Why that is sound. A region runs from a line that starts a new top-level item (top-level.ts)
 * to the next such line past its changes, in the old text AND in the new one (the region's new
 * lines are scanned again: the same line must start anew after them too). Outside the regions
 * the two texts are the same lines. So the old file is P + R + S and the new one P + R' + S,
 * where P ends and S starts at a top-level boundary in both: outside every string, comment,
 * template and bracket, with the item before complete and no line continuing it. A parser at
 * such a boundary is where it is at the start of a file, so when R' parses without errors on
 * its own, P + R' + S has no errors but those P and S had beside R — which the old file had
 * too. A region that does not parse on its own (the old one: a boundary the scan got wrong,
 * or a file already broken there; the new one: an error, or again a wrong boundary) gives no
 * answer, and the caller parses the whole files, which is also where every reported error and
 * its position come from. The scan is lexical, and errs towards "not a boundary", which only
 * makes regions larger; the old region parsing cleanly is the second check of its boundaries.
 *
 * One thing a region can hide from its parse: C's grammar takes an #else, #elif or #endif whose
 * #if is outside the region for a lone directive, without an error. So a region of C or C++
 * with such a directive gives no answer either (its #if may lie outside, and an edit could
 * remove the one or the other).
 */

/** Lines `oldFrom..oldTo` of the old text became `newFrom..newTo` of the new one (0-based, end excluded). */
export interface Region {
  oldFrom: number;
  oldTo: number;
  newFrom: number;
  newTo: number;
}

/**
 * The regions around `changes` (in order, none adjacent), each bounded by top-level starts in
 * both texts; undefined for a language the scan does not know.
 */
export function changedRegions(grammar: GrammarName, before: DiffLines, after: DiffLines, changes: readonly LineChange[]): Region[] | undefined {
  const family = familyOf(grammar);
  if (!family) return undefined;
  const starts = topLevelStarts(family, before.lines);
  const regions: Region[] = [];
  let next = 0;
  while (next < changes.length) {
    const first = changes[next]!;
    const scanner = new TopLevelScanner(family);
    // Start at the change when its first line starts anew in both texts, else at the nearest
    // start above it (unchanged, so a start in both). No earlier region reaches past it: each
    // ends at a start.
    let oldFrom = first.oldStart;
    const newFirst = after.lines[first.newStart];
    if (oldFrom > 0 && !(starts[oldFrom] && (newFirst === undefined || scanner.startsAnew(newFirst)))) {
      do oldFrom--;
      while (!starts[oldFrom]);
    }
    let oldAt = oldFrom;
    let newAt = first.newStart - (first.oldStart - oldFrom);
    const newFrom = newAt;
    let passedChange = false;
    for (;;) {
      const change = changes[next];
      if (change && oldAt === change.oldStart) {
        for (let line = change.newStart; line < change.newEnd; line++) scanner.consume(after.lines[line]!);
        oldAt = change.oldEnd;
        newAt = change.newEnd;
        next++;
        passedChange = true;
        continue;
      }
      // An unchanged line (the same in both texts), or the end of both.
      if (oldAt === before.lines.length) break;
      if (passedChange && starts[oldAt] && scanner.startsAnew(after.lines[newAt]!)) break;
      scanner.consume(after.lines[newAt]!);
      oldAt++;
      newAt++;
    }
    regions.push({ oldFrom, oldTo: oldAt, newFrom, newTo: newAt });
  }
  return regions;
}

/** A text as lines (for the regions) and as one string (what is parsed). */
export interface LinedText extends DiffLines {
  text: string;
}

/**
 * Whether the edit is known to introduce no syntax error from its regions alone: every old
 * region and every new one parses without errors. False means "ask the whole files"; so does
 * a language the scan does not know, or regions that together are most of the file (parsing
 * them would cost about as much as the whole, and might be followed by the whole).
 * The parser is used synchronously, as the shared parser must be.
 */
export function regionsStayClean(parser: Parser, grammar: GrammarName, before: LinedText, after: LinedText, changes: readonly LineChange[]): boolean {
  if (!changes.length) return false;
  const regions = changedRegions(grammar, before, after, changes);
  if (!regions) return false;
  const oldStarts = lineStarts(before);
  const newStarts = lineStarts(after);
  let chars = 0;
  for (const region of regions) chars += oldStarts[region.oldTo]! - oldStarts[region.oldFrom]! + newStarts[region.newTo]! - newStarts[region.newFrom]!;
  if (chars > before.text.length) return false;
  const family = familyOf(grammar)!;
  const parsesClean = (text: string): boolean => {
    const tree = parser.parse(text);
    if (!tree) return false;
    const clean = !tree.rootNode.hasError && !continuesOutside(tree, family);
    tree.delete();
    return clean;
  };
  return regions.every(
    (region) =>
      parsesClean(before.text.slice(oldStarts[region.oldFrom], oldStarts[region.oldTo])) &&
      parsesClean(after.text.slice(newStarts[region.newFrom], newStarts[region.newTo])),
  );
}

/** A directive that continues an #if, parsed as a lone one: where the #if is, the region cannot tell. */
const CONTINUING_DIRECTIVE = /^#\s*(?:else|elif|endif)/;

function continuesOutside(tree: Tree, family: Family): boolean {
  if (family !== 'c') return false;
  return tree.rootNode.descendantsOfType('preproc_directive').some((node) => node !== null && CONTINUING_DIRECTIVE.test(node.text));
}

/** Where each line starts, and (last) where the text ends, in UTF-16 code units. */
export function lineStarts({ lines, endings }: DiffLines): number[] {
  const starts = [0];
  for (let i = 0; i < lines.length; i++) starts.push(starts[i]! + lines[i]!.length + endings[i]!.length);
  return starts;
}
