import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { DiffLines, LineChange } from '../../core/line-diff.js';
import { grammarForPath, loadTreeSitter, parserFor, type GrammarName } from '../../core/treesitter.js';
import { lineStarts, regionsStayClean } from './syntax-regions.js';

/**
 * The syntax guard: a changed file of a language Baton has a grammar for is parsed before and
 * after the edit; syntax errors (tree-sitter ERROR and MISSING nodes) the edit introduces are
 * reported, so the model fixes them at once. A file that was already broken, or has no
 * grammar, is not judged.
 *
 * The new text is parsed incrementally: the old tree, edited where the lines changed, lets
 * tree-sitter reparse only those regions. Trees of texts parsed lately are kept, so the next
 * edit of a file (or the apply after its dry run) does not parse the old text again.
 *
 * The first edit of a file, whose old text has no tree yet, is judged first from the regions
 * around its changes alone (syntax-regions.ts says why that is sound): when they parse cleanly
 * before and after, nothing is introduced and no whole text is parsed. Otherwise the whole
 * texts are, and every error reported, with its line and column, comes from them.
 */

export interface SyntaxIssue {
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

/** A file's text, and the same as lines (what the line changes count). */
export interface SourceText extends DiffLines {
  text: string;
}

/** Errors listed per file at most: the first ones are what the model needs. */
const SHOWN_PER_FILE = 5;
/** As for repo-scan's tags: past this a file is generated and slow to parse. */
const MAX_SOURCE_CHARS = 1_000_000;

/** Whether the guard judges a file at this path: Baton has a grammar for its language. */
export function isJudged(path: string): boolean {
  return grammarForPath(path) !== undefined;
}

/**
 * The syntax errors `after` has and `before` (undefined: a new file) did not. `changes` are
 * the line changes from `before` to `after`; without them the new text is parsed whole.
 */
export async function introducedSyntaxErrors(
  path: string,
  before: SourceText | undefined,
  after: SourceText,
  changes?: readonly LineChange[],
): Promise<SyntaxIssue[]> {
  const grammar = grammarForPath(path);
  if (!grammar || after.text.length > MAX_SOURCE_CHARS || (before?.text.length ?? 0) > MAX_SOURCE_CHARS) return [];
  const [parser, treeSitter] = await Promise.all([parserFor(grammar), loadTreeSitter()]).catch(() => [undefined, undefined] as const);
  if (!parser || !treeSitter) return []; // no grammar at run time: not judged
  // No await from here on: the parser is shared by every caller for this language.
  if (before !== undefined && changes && !trees.has(grammar, before.text) && regionsStayClean(parser, grammar, before, after, changes)) return [];
  const oldTree = before === undefined ? undefined : treeOf(parser, grammar, before.text);
  if (before !== undefined && (!oldTree || oldTree.rootNode.hasError)) return []; // already broken: not judged
  let tree = trees.get(grammar, after.text);
  if (!tree) {
    let edited: Tree | undefined;
    if (oldTree && before && changes) {
      edited = oldTree.copy();
      for (const edit of treeEdits(before, after, changes)) edited.edit(new treeSitter.Edit(edit));
    }
    tree = parser.parse(after.text, edited) ?? undefined;
    edited?.delete();
    if (!tree) return [];
    trees.add(grammar, after.text, tree);
  }
  if (!tree.rootNode.hasError) return [];
  const issues: SyntaxIssue[] = [];
  collect(tree.rootNode, path, issues);
  return issues;
}

function treeOf(parser: Parser, grammar: GrammarName, text: string): Tree | undefined {
  let tree = trees.get(grammar, text);
  if (!tree) {
    tree = parser.parse(text) ?? undefined;
    if (tree) trees.add(grammar, text, tree);
  }
  return tree;
}

type TreeEdit = ConstructorParameters<typeof import('web-tree-sitter').Edit>[0];

/**
 * The line changes as tree-sitter edits, first to last, each in the text as the edits before
 * it left it (so its start is where it is in the new text). Offsets and columns are in UTF-16
 * code units, as web-tree-sitter counts them.
 */
export function treeEdits(before: SourceText, after: SourceText, changes: readonly LineChange[]): TreeEdit[] {
  const oldStarts = lineStarts(before);
  const newStarts = lineStarts(after);
  return changes.map((change) => {
    const startIndex = newStarts[change.newStart]!;
    const oldEndIndex = startIndex + oldStarts[change.oldEnd]! - oldStarts[change.oldStart]!;
    const newEndIndex = newStarts[change.newEnd]!;
    const rowShift = change.newStart - change.oldStart;
    return {
      startIndex,
      oldEndIndex,
      newEndIndex,
      startPosition: { row: change.newStart, column: 0 },
      oldEndPosition: endPoint(before, change.oldEnd, rowShift),
      newEndPosition: endPoint(after, change.newEnd, 0),
    };
  });
}

/** The point just past line `end - 1`: the start of line `end`, or the end of a last line without a newline. */
function endPoint({ lines, endings }: DiffLines, end: number, rowShift: number): { row: number; column: number } {
  if (end > 0 && end === lines.length && !endings[end - 1]) return { row: end - 1 + rowShift, column: lines[end - 1]!.length };
  return { row: end + rowShift, column: 0 };
}

/** ERROR and MISSING nodes, outermost first, only under nodes that contain an error. */
function collect(node: Node, path: string, issues: SyntaxIssue[]): void {
  if (issues.length >= SHOWN_PER_FILE) return;
  if (node.isMissing) {
    issues.push({ path, ...at(node), message: `missing "${node.type}"` });
    return;
  }
  if (node.type === 'ERROR') {
    const text = node.text.split('\n')[0]!.trim();
    issues.push({ path, ...at(node), message: `syntax error at ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}` });
    return;
  }
  if (!node.hasError) return;
  const before = issues.length;
  for (const child of node.children) if (child) collect(child, path, issues);
  // A missing token the grammar hides (Go's statement terminator at the end of a file) is no
  // child of its node: the error is the node's own, and it ends where the node ends.
  if (issues.length === before && before < SHOWN_PER_FILE) issues.push({ path, ...at(node, 'end'), message: `incomplete ${node.type.replaceAll('_', ' ')}` });
}

function at(node: Node, where: 'start' | 'end' = 'start'): { line: number; column: number } {
  const point = where === 'start' ? node.startPosition : node.endPosition;
  return { line: point.row + 1, column: point.column + 1 };
}

/**
 * Trees of the texts parsed last, most recent last. Bounded by the characters they were
 * parsed from: a tree takes tens of bytes of WebAssembly memory per character.
 */
class TreeCache {
  private readonly entries: Array<{ grammar: GrammarName; text: string; tree: Tree }> = [];
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  /** Whether a tree of `text` is kept (without making it the most recent). */
  has(grammar: GrammarName, text: string): boolean {
    return this.entries.some((entry) => entry.grammar === grammar && entry.text === text);
  }

  get(grammar: GrammarName, text: string): Tree | undefined {
    const index = this.entries.findIndex((entry) => entry.grammar === grammar && entry.text === text);
    if (index < 0) return undefined;
    const [entry] = this.entries.splice(index, 1);
    this.entries.push(entry!);
    return entry!.tree;
  }

  /** Keeps the tree (which the cache then owns and deletes when it drops it). */
  add(grammar: GrammarName, text: string, tree: Tree): void {
    this.entries.push({ grammar, text, tree });
    this.chars += text.length;
    // The newest entry stays even alone over the limit: its caller is still using its tree.
    while (this.entries.length > 1 && (this.entries.length > this.maxEntries || this.chars > this.maxChars)) {
      const dropped = this.entries.shift()!;
      this.chars -= dropped.text.length;
      dropped.tree.delete();
    }
  }
}

const trees = new TreeCache(256, MAX_SOURCE_CHARS);
