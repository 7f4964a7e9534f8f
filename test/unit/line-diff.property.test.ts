import { createTwoFilesPatch, diffArrays } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiffLines, diffLinesOf, lineChanges, unifiedDiffOfLines } from '../../src/core/line-diff.js';

// Few distinct lines: repeated lines are where a diff has choices to make. Each line here
// carries its ending ("a\r\n" and "a\n" differ).
const line = fc.constantFrom('a\n', 'b\n', 'c\n', '}\n', '\n', 'a\r\n');
const lines = fc.array(line, { maxLength: 40 });
const split = (units: readonly string[]): DiffLines => diffLinesOf(units.join(''));

/** b rebuilt from a and the changes: the changes are a correct edit script. */
function replay(a: readonly string[], b: readonly string[], changes: ReturnType<typeof lineChanges>): string[] {
  const out: string[] = [];
  let at = 0;
  for (const change of changes) {
    out.push(...a.slice(at, change.oldStart), ...b.slice(change.newStart, change.newEnd));
    at = change.oldEnd;
  }
  return [...out, ...a.slice(at)];
}

describe('line diff', () => {
  it('gives an edit script from a to b as short as the diff library finds, its changes in order and apart', () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const changes = lineChanges(split(a), split(b));
        expect(replay(a, b, changes)).toEqual(b);
        for (let i = 1; i < changes.length; i++) {
          expect(changes[i]!.oldStart).toBeGreaterThan(changes[i - 1]!.oldEnd);
          expect(changes[i]!.newStart - changes[i]!.oldStart).toBe(changes[i - 1]!.newEnd - changes[i - 1]!.oldEnd);
        }
        // Each unchanged line between the changes is the same on both sides (replay checks the rest).
        const edits = changes.reduce((sum, c) => sum + (c.oldEnd - c.oldStart) + (c.newEnd - c.newStart), 0);
        const reference = diffArrays(a, b).reduce((sum, part) => sum + (part.added || part.removed ? part.count! : 0), 0);
        expect(edits).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('renders the unified diff the diff library renders when the edit script is the same', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', '}', ''), { maxLength: 30 }), fc.boolean(), fc.boolean(), fc.nat(), (base, endA, endB, seed) => {
        // B as A with a few lines changed in place: one obvious edit script.
        const a = base.map((text, i) => `${text}${i}`);
        const b = a.map((text, i) => ((seed >> (i % 30)) & 1 && i % 3 === 0 ? `${text}x` : text));
        const before = a.join('\n') + (endA && a.length ? '\n' : '');
        const after = b.join('\n') + (endB && b.length ? '\n' : '');
        const expected = createTwoFilesPatch('a/f', 'b/f', before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
        expect(unifiedDiffOfLines({ before: 'f', after: 'f' }, diffLinesOf(before), diffLinesOf(after))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
