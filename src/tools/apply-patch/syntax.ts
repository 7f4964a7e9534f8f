import { grammarForPath, parserFor } from '../../core/treesitter.js';
import type { Node } from 'web-tree-sitter';

/**
 * The syntax guard: a changed file of a language Baton has a grammar for is parsed before and
 * after the edit; syntax errors (tree-sitter ERROR and MISSING nodes) the edit introduces are
 * reported, so the model fixes them at once. A file that was already broken, or has no
 * grammar, is not judged.
 */

export interface SyntaxIssue {
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

/** Errors listed per file at most: the first ones are what the model needs. */
const SHOWN_PER_FILE = 5;
/** As for repo-scan's tags: past this a file is generated and slow to parse. */
const MAX_SOURCE_CHARS = 1_000_000;

/** The syntax errors `after` has and `before` (undefined: a new file) did not. */
export async function introducedSyntaxErrors(path: string, before: string | undefined, after: string): Promise<SyntaxIssue[]> {
  const grammar = grammarForPath(path);
  if (!grammar || after.length > MAX_SOURCE_CHARS || (before?.length ?? 0) > MAX_SOURCE_CHARS) return [];
  const parser = await parserFor(grammar).catch(() => undefined);
  if (!parser) return []; // no grammar at run time: not judged
  // No await from here on: the parser is shared by every caller for this language.
  const tree = parser.parse(after);
  if (!tree) return [];
  try {
    // The usual case, a clean result, costs one parse; the old text is parsed only to excuse errors it already had.
    if (!tree.rootNode.hasError) return [];
    if (before !== undefined && hasErrors(parser.parse(before)?.rootNode)) return [];
    const issues: SyntaxIssue[] = [];
    collect(tree.rootNode, path, issues);
    return issues;
  } finally {
    tree.delete();
  }
}

function hasErrors(root: Node | undefined): boolean {
  if (!root) return false;
  const broken = root.hasError;
  root.tree.delete();
  return broken;
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
  for (const child of node.children) if (child) collect(child, path, issues);
}

function at(node: Node): { line: number; column: number } {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}
