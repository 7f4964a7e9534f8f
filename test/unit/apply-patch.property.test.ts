import fc from 'fast-check';
import { structuredPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyHunks } from '../../src/tools/apply-patch/apply-hunks.js';
import { parsePatch } from '../../src/tools/apply-patch/parse.js';
import { EditBuffer } from '../../src/tools/apply-patch/edit-buffer.js';
import { applyEdits } from '../../src/tools/apply-patch/search-replace.js';
import { decodeText, encodeText, eolOf, withDefaultEol } from '../../src/tools/apply-patch/text.js';
import type { UpdateFile } from '../../src/tools/apply-patch/types.js';
import { gitStyleDiff } from '../helpers/patch.js';

// A small alphabet on purpose: repeated lines and repeated blocks are where a matcher goes wrong.
const line = fc.constantFrom('a', 'b', 'c', 'd', '  e', 'f();', '}', '');
/**
 * Lines plus whether the last has a newline. ['a', ''] without one is the text "a\n", which
 * is ['a'] with one: texts are kept in that second, unambiguous form.
 */
type Text = { lines: string[]; finalNewline: boolean };
function canonical(value: Text): Text {
  const lines = [...value.lines];
  let finalNewline = value.finalNewline;
  while (!finalNewline && lines.length && lines[lines.length - 1] === '') {
    lines.pop();
    finalNewline = true;
  }
  return { lines, finalNewline };
}
const text = fc.record({ lines: fc.array(line, { maxLength: 30 }), finalNewline: fc.boolean() }).map(canonical);
const eol = fc.constantFrom('\n', '\r\n');

/** B as A edited (a realistic diff) or as an unrelated text (a diff that rewrites most of it). */
const pair = fc.oneof(
  fc.tuple(text, fc.array(fc.tuple(fc.nat(40), fc.nat(3), fc.array(line, { maxLength: 3 })), { maxLength: 4 })).map(([a, edits]) => {
    const lines = [...a.lines];
    for (const [at, remove, insert] of edits) lines.splice(at % (lines.length + 1), remove, ...insert);
    return [a, canonical({ lines, finalNewline: a.finalNewline })] as const;
  }),
  fc.tuple(text, text),
);

function join(value: { lines: readonly string[]; finalNewline: boolean }, ending: string): string {
  if (!value.lines.length) return '';
  return value.lines.join(ending) + (value.finalNewline ? ending : '');
}

function applyTo(content: string, patch: string, unchangedSinceDiff: boolean) {
  const file = parsePatch(patch, 'unified').files[0] as UpdateFile | undefined;
  const result = applyHunks(withDefaultEol(decodeText(content), eolOf(patch)), file?.hunks ?? [], { format: 'unified', unchangedSinceDiff });
  return { applied: result.errors.length === 0, content: encodeText(result.text) };
}

describe('apply-patch properties', () => {
  it('the diff from A to B applies to A and gives B exactly (LF, CRLF, with and without final newline)', () => {
    fc.assert(
      fc.property(pair, eol, ([a, b], ending) => {
        const before = join(a, ending);
        const after = join(b, ending);
        const result = applyTo(before, gitStyleDiff('f.txt', before, after), true);
        expect(result).toEqual({ applied: true, content: after });
      }),
      { numRuns: 400 },
    );
  });

  it('with unrelated lines inserted above or below its hunks, the diff applies at the right place or fails, never elsewhere', () => {
    let applied = 0;
    let runs = 0;
    fc.assert(
      fc.property(pair, eol, fc.nat(1000), fc.integer({ min: 1, max: 6 }), ([a, b], ending, where, count) => {
        const before = join(a, ending);
        const after = join(b, ending);
        const hunks = structuredPatch('f', 'f', before, after, undefined, undefined, { context: 3 }).hunks;
        // Insertion points outside every hunk's old lines (0-based "before line k").
        const outside = Array.from({ length: a.lines.length + 1 }, (_, k) => k).filter(
          (k) => hunks.every((h) => k <= h.oldStart - 1 || k >= h.oldStart - 1 + h.oldLines) && (k < a.lines.length || (a.finalNewline && b.finalNewline)),
        );
        fc.pre(outside.length > 0 && a.lines.length > 0);
        const k = outside[where % outside.length]!;
        const unrelated = Array.from({ length: count }, (_, i) => `unrelated line ${i}`);
        const shift =
          hunks.filter((h) => h.oldStart - 1 + h.oldLines <= k && h.oldLines > 0).reduce((sum, h) => sum + h.newLines - h.oldLines, 0) +
          hunks.filter((h) => h.oldLines === 0 && h.oldStart <= k).reduce((sum, h) => sum + h.newLines, 0);
        const drifted = { lines: [...a.lines.slice(0, k), ...unrelated, ...a.lines.slice(k)], finalNewline: a.finalNewline };
        const expectedLines = [...b.lines.slice(0, k + shift), ...unrelated, ...b.lines.slice(k + shift)];
        // The last line keeps its own ending: B's last line's, or an inserted line's (which had one).
        const expected = join({ lines: expectedLines, finalNewline: k + shift < b.lines.length ? b.finalNewline : true }, ending);

        runs++;
        const result = applyTo(join(drifted, ending), gitStyleDiff('f.txt', before, after), false);
        if (result.applied) {
          applied++;
          expect(result.content).toBe(expected);
        }
      }),
      { numRuns: 400 },
    );
    // Not a vacuous property: most drifted patches do apply.
    expect(applied).toBeGreaterThan(runs / 3);
  });

  it('a search/replace edit derived from two texts applies back exactly when unique, and fails when ambiguous, never misplaced', () => {
    let unique = 0;
    let ambiguous = 0;
    fc.assert(
      fc.property(text, fc.nat(40), fc.nat(3), fc.array(line, { maxLength: 3 }), fc.nat(3), fc.nat(3), eol, (a, at, remove, insert, before, after, ending) => {
        const k = at % (a.lines.length + 1);
        const r = Math.min(remove, a.lines.length - k);
        const aText = join(a, '\n');
        const offsets = [0];
        for (const l of a.lines) offsets.push(Math.min(aText.length, offsets.at(-1)! + l.length + 1));
        const lo = Math.max(0, k - before);
        const hi = Math.min(a.lines.length, k + r + after);
        const oldText = aText.slice(offsets[lo], offsets[hi]);
        fc.pre(oldText !== '');
        const tail = aText.slice(offsets[hi]);
        const kept = (from: number, to: number) => a.lines.slice(from, to);
        const middle = [...kept(lo, k), ...insert, ...kept(k + r, hi)];
        // The new text ends like the old one: with a newline unless it reached a final line without one.
        const newText = middle.join('\n') + (middle.length && (oldText.endsWith('\n') || tail !== '') ? '\n' : '');
        fc.pre(oldText.endsWith('\n') || tail === '');
        const expected = aText.slice(0, offsets[lo]) + newText + tail;
        let count = 0;
        for (let i = aText.indexOf(oldText); i !== -1; i = aText.indexOf(oldText, i + 1)) count++;

        const file = withDefaultEol(decodeText(aText.replace(/\n/g, ending)), ending === '\n' ? '\n' : '\r\n');
        const result = applyEdits(file, [{ oldText, newText, replaceAll: false }], ending === '\n' ? '\n' : '\r\n');
        if (count === 1) {
          unique++;
          expect(result.errors).toEqual([]);
          expect(encodeText(result.text!)).toBe(expected.replace(/\n/g, ending));
        } else {
          ambiguous++;
          expect(result.errors.length).toBe(1);
        }
      }),
      { numRuns: 500 },
    );
    expect(unique).toBeGreaterThan(50);
    expect(ambiguous).toBeGreaterThan(5);
  });

  it('edits apply in order, each to the text the ones before it left, exactly as replacing the text would (also across the blocks the file is held in)', () => {
    let checked = 0;
    let failed = 0;
    const edit = fc.record({
      from: fc.nat(),
      length: fc.integer({ min: 1, max: 12 }),
      newText: fc.array(fc.constantFrom('a', 'b', 'x', '\n', ' e'), { maxLength: 6 }).map((parts) => parts.join('')),
      replaceAll: fc.boolean(),
    });
    fc.assert(
      fc.property(text, fc.array(edit, { minLength: 1, maxLength: 5 }), fc.nat(150), eol, (a, edits, shift, ending) => {
        // A first line long enough that the file is held in two blocks, split near the edited text.
        const filler = `${'f'.repeat(16_383 - shift)}\n`;
        let reference = filler + join(a, '\n');
        const applied: Array<{ oldText: string; newText: string; replaceAll: boolean }> = [];
        let expectFailure = false;
        for (const { from, length, newText, replaceAll } of edits) {
          const start = filler.length + (from % Math.max(1, reference.length - filler.length));
          const oldText = reference.slice(start, start + length);
          if (!oldText) break;
          applied.push({ oldText, newText, replaceAll });
          let count = 0;
          for (let i = reference.indexOf(oldText); i !== -1; i = reference.indexOf(oldText, i + 1)) count++;
          if (count > 1 && !replaceAll) expectFailure = true;
          else reference = replaceAll ? reference.split(oldText).join(newText) : reference.replace(oldText, () => newText);
        }
        fc.pre(applied.length > 0);
        const fileEol = ending === '\n' ? '\n' : '\r\n';
        const file = withDefaultEol(decodeText((filler + join(a, '\n')).replace(/\n/g, ending)), fileEol);
        const result = applyEdits(file, applied, fileEol);
        if (expectFailure) {
          failed++;
          expect(result.errors.length).toBeGreaterThan(0);
          return;
        }
        checked++;
        expect(result.errors).toEqual([]);
        expect(encodeText(result.text!)).toBe(reference.replace(/\n/g, ending));
      }),
      { numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(100);
    expect(failed).toBeGreaterThan(10);
  });

  it('an edit buffer in blocks of any size searches, locates and splices like the plain text', () => {
    const splice = fc.record({ at: fc.nat(), remove: fc.nat(3), insert: fc.array(line, { maxLength: 3 }) });
    fc.assert(
      fc.property(
        text,
        fc.integer({ min: 1, max: 12 }),
        fc.array(splice, { maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (a, blockChars, splices, from, length) => {
          const lines = [...a.lines];
          const endings = lines.map((_, i) => (i < lines.length - 1 || a.finalNewline ? '\n' : ''));
          const buffer = new EditBuffer({ bom: false, eol: '\n', eolKnown: true }, lines, endings, blockChars);
          for (const splice of splices) {
            let first = splice.at % (lines.length + 1);
            let count = Math.min(splice.remove, lines.length - first);
            let insert: string[] = splice.insert;
            if (first === lines.length && first > 0 && insert.length && !endings[first - 1]) {
              // Adding after a last line without a newline gives it one: it is rewritten too.
              first--;
              count = 1;
              insert = [lines[first]!, ...insert];
            }
            // Lines other than the last keep an ending.
            const added = insert.map((_, i) => (i < insert.length - 1 || first + count < lines.length || a.finalNewline ? '\n' : ''));
            buffer.splice(first, count, insert, added);
            lines.splice(first, count, ...insert);
            endings.splice(first, count, ...added);
          }
          const plain = lines.length ? lines.join('\n') + (endings.at(-1) ? '\n' : '') : '';
          expect(buffer.toFileText().lines).toEqual(lines);
          expect(buffer.text(null)).toBe(plain);
          const pattern = plain.slice(from % Math.max(1, plain.length), (from % Math.max(1, plain.length)) + length);
          const everywhere: number[] = [];
          for (let i = plain.indexOf(pattern); pattern && i !== -1; i = plain.indexOf(pattern, i + 1)) everywhere.push(i);
          expect(buffer.find(null, pattern)).toEqual(everywhere);
          const lineOf = (offset: number) => Math.max(0, Math.min(plain.slice(0, offset).split('\n').length - 1, lines.length - 1));
          for (const offset of everywhere) expect(buffer.lineAt(null, offset)).toBe(lineOf(offset));
          // Whole lines under a normalisation, as the tolerant steps search them.
          const trim = (text: string) => text.trim();
          const wanted = lines.slice(from % (lines.length + 1), (from % (lines.length + 1)) + Math.min(length, 3)).map(trim);
          fc.pre(wanted.length > 0);
          const starts = lines.flatMap((_, s) => (wanted.every((w, j) => lines[s + j] !== undefined && trim(lines[s + j]!) === w) ? [s] : []));
          expect(buffer.find(trim, `${wanted.join('\n')}\n`, Number.POSITIVE_INFINITY, true).map((at) => buffer.lineAt(trim, at))).toEqual(starts);
        },
      ),
      { numRuns: 500 },
    );
  });
});
