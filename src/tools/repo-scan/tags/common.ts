// What the language rule tables share: the types they are written in, signature tidying, and the
// definition handlers several languages use. Kept apart from index.ts so the language modules
// never import the walk that imports them.
import type { Node } from 'web-tree-sitter';

export type SymbolKind =
  | 'function'
  | 'method'
  | 'class'
  | 'struct'
  | 'interface'
  | 'trait'
  | 'type'
  | 'enum'
  | 'constant'
  /** Module-level mutable state (`let`/`var` in JavaScript, a Go package `var`). */
  | 'variable'
  /** A JavaScript/TypeScript class field, static or not. */
  | 'field'
  /** A second name for something defined elsewhere (`export { a as b }`, `exports.b = a`). */
  | 'alias'
  | 'module';

/** Where a node sits: which container its definitions belong to, and whether it is local code. */
export interface Scope {
  container?: string | undefined;
  /** The container is a type (class, struct, impl, trait, interface, Ruby module): its functions are methods. */
  ofType?: boolean | undefined;
  /** Inside a function body: local definitions there are implementation details, not symbols. */
  local?: boolean;
}

export const LOCAL: Scope = { local: true };

export interface DefineOptions {
  /** The container when it is not the enclosing scope's (Go receivers, C++ `Foo::bar`). */
  container?: string;
  /** Where the declaration starts, when not at `node` or its wrapper. */
  head?: Node;
  /** Where the signature stops; defaults to the `body` field. */
  body?: Node | null;
  /** The name, when it is not the name node's text. */
  name?: string | undefined;
  /** A ready signature, when the generic one would say the wrong thing. */
  signature?: string;
  /** A C/C++ prototype: dropped when the file also defines the function. */
  declarationOnly?: boolean;
}

/** What a definition handler sees of the extraction in progress (implemented in index.ts). */
export interface Extraction {
  readonly source: string;
  /** The scope of the node being handled. */
  readonly scope: Scope;
  text(node: Node): string;
  /** Records a definition named by `nameNode`; returns its name, or undefined when it has none. */
  define(kind: SymbolKind, nameNode: Node | null | undefined, node: Node, options?: DefineOptions): string | undefined;
}

/** Records the definitions `node` makes; returns the scope its descendants are in, when it opens one. */
export type DefinitionHandler = (node: Node, extraction: Extraction) => Scope | undefined;

export interface LanguageRules {
  definitions: Record<string, DefinitionHandler>;
  /** Identifier-like node types whose text is counted as a reference. */
  references: readonly string[];
  /** Node types whose subtree holds nothing to index (PHP `$variables`). */
  opaque?: readonly string[];
  /** Node types that wrap a definition and belong to its head (`export`, `template <...>`). */
  wrappers?: readonly string[];
  /**
   * What the parser reads, when not the file as written (C/C++: macros the preprocessor would
   * remove). Every character keeps its offset, so names and signatures come from the file itself.
   */
  parsedText?: (source: string) => string;
}

// ---------------------------------------------------------------------------------------------
// Signatures

const MAX_SIGNATURE_CHARS = 200;
/** A declaration head longer than this is cut before whitespace is collapsed (minified code). */
export const MAX_HEAD_SOURCE_CHARS = 1_000;

/** Annotations and comments before a declaration: skipped so the signature starts at the code. */
const DECORATIONS = new Set(['decorator', 'marker_annotation', 'annotation', 'attribute_list', 'comment']);

export function signatureOf(source: string, outer: Node, body: Node | null): string | undefined {
  const start = codeStartOf(outer);
  const hasBody = body !== null && body.startIndex > start;
  // Bounded before any search: one-line minified files would otherwise be scanned per symbol.
  let head = source.slice(start, Math.min(hasBody ? body.startIndex : outer.endIndex, start + MAX_HEAD_SOURCE_CHARS));
  if (!hasBody) {
    const lineBreak = head.indexOf('\n');
    if (lineBreak !== -1) head = head.slice(0, lineBreak);
  }
  return capSignature(tidySignature(head));
}

export function capSignature(signature: string): string | undefined {
  if (!signature) return undefined;
  return signature.length > MAX_SIGNATURE_CHARS ? `${signature.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : signature;
}

function codeStartOf(node: Node): number {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (DECORATIONS.has(child.type)) continue;
    // Java keeps annotations inside the modifiers.
    if (child.type === 'modifiers') {
      for (let modifier = child.firstChild; modifier; modifier = modifier.nextSibling) {
        if (!DECORATIONS.has(modifier.type)) return modifier.startIndex;
      }
      continue;
    }
    return child.startIndex;
  }
  return node.startIndex;
}

export function tidySignature(head: string): string {
  return (
    head
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/([([]) /g, '$1')
      .replace(/ ([)\]])/g, '$1')
      .replace(/,([)\]])/g, '$1')
      .replace(/;$/, '')
      // `type Item struct {` reads better without its brace; `const api = {` would read worse.
      .replace(/([\w)>]) ?\{$/, '$1')
  );
}

// ---------------------------------------------------------------------------------------------
// Handlers shared by several languages

export const nameOf = (node: Node): Node | null => node.childForFieldName('name');

/** A definition that opens no scope (type aliases, enums, constants). */
export function definition(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    extraction.define(kind, nameOf(node), node);
    return undefined;
  };
}

/** A class-like definition: functions inside it are its methods. */
export function typeDefinition(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    const name = extraction.define(kind, nameOf(node), node);
    return name === undefined ? undefined : { container: name, ofType: true };
  };
}

/** A namespace or module whose functions stay functions. */
export function namespaceDefinition(node: Node, extraction: Extraction): Scope | undefined {
  const nameNode = nameOf(node);
  const name = nameNode ? extraction.text(nameNode).replace(/^['"]|['"]$/g, '') : undefined;
  return extraction.define('module', nameNode, node, { name }) === undefined ? undefined : { container: name };
}

/** A function, or a method when it sits in a class-like container. Its body is local. */
export function callable(node: Node, extraction: Extraction): Scope {
  extraction.define(extraction.scope.ofType ? 'method' : 'function', nameOf(node), node);
  return LOCAL;
}

/** The first type name inside a type expression: `*Repo[T]` -> Repo, `Vec<Foo>` -> Vec. */
export function firstTypeName(node: Node | null, extraction: Extraction): string | undefined {
  if (!node) return undefined;
  if (node.type === 'type_identifier') return extraction.text(node);
  for (const child of node.namedChildren) {
    const name = firstTypeName(child, extraction);
    if (name) return name;
  }
  return undefined;
}
