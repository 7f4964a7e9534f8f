// Symbols and references of a source file, from tree-sitter syntax trees.
//
// One pre-order walk over the tree with a TreeCursor does everything: a per-language table maps
// node types either to a handler that records the definitions the node makes, or to "reference"
// (an identifier-like leaf to count). A walk, rather than .scm queries, because containers
// (the class around a method, the type of a Go receiver or a Rust impl), declaration heads and
// C declarator chains need the surrounding structure, which queries hand back only in pieces.
//
// This module is the walk; the per-language tables live in their own modules and the pieces they
// share in common.ts.
import type { Language, Node, Tree } from 'web-tree-sitter';
import { C_RULES, CPP_RULES, isCppHeader } from './c-family.js';
import { signatureOf, type DefineOptions, type DefinitionHandler, type Extraction, type LanguageRules, type Scope, type SymbolKind } from './common.js';
import { CSHARP_RULES } from './csharp.js';
import { ECMASCRIPT_RULES } from './ecmascript.js';
import { GO_RULES } from './go.js';
import { JAVA_RULES } from './java.js';
import { PHP_RULES } from './php.js';
import { PYTHON_RULES } from './python.js';
import { RUBY_RULES } from './ruby.js';
import { RUST_RULES } from './rust.js';
import { grammarForPath, parserFor, type GrammarName } from '../../../core/treesitter.js';

export type { SymbolKind } from './common.js';

export interface SymbolInfo {
  name: string;
  kind: SymbolKind;
  /** 1-based start line of the definition node. */
  line: number;
  /** 1-based end line. */
  endLine: number;
  /** Enclosing class/struct/impl/namespace/module name, when there is one. */
  container?: string;
  /** One line: the declaration head, whitespace collapsed, body stripped, at most 200 chars. */
  signature?: string;
}

export interface FileTags {
  language: string;
  /** Sorted by line. */
  symbols: SymbolInfo[];
  /** Identifiers used in the file (definition names at their definition site excluded) -> count. */
  references: Record<string, number>;
}

/** Past this size a file is generated or vendored far more often than written, and slow to walk. */
const MAX_SOURCE_CHARS = 1_000_000;

/** The tree-sitter language id for a path by extension, or undefined when unsupported. */
export function tagLanguageFor(path: string): string | undefined {
  return grammarFor(path);
}

const grammarFor = grammarForPath;

/** Parses `source` with the grammar for `path` and extracts symbols + references. undefined when the language is unsupported. */
export async function extractTags(path: string, source: string): Promise<FileTags | undefined> {
  return (await extract(path, source))?.tags;
}

/**
 * The tags of a file and where `name` is used in it: the source offsets (UTF-16, ascending) of
 * the reference leaves with exactly that text. The same walk as `extractTags`, so the uses found
 * are the ones its `references[name]` counted.
 */
export async function extractUses(path: string, source: string, name: string): Promise<{ tags: FileTags; uses: number[] } | undefined> {
  return extract(path, source, name);
}

async function extract(path: string, source: string, watched?: string): Promise<{ tags: FileTags; uses: number[] } | undefined> {
  let grammar = grammarFor(path);
  if (!grammar) return undefined;
  if (grammar === 'c' && isCppHeader(path, source)) grammar = 'cpp';
  const empty = { tags: { language: grammar, symbols: [], references: {} }, uses: [] };
  if (source.length > MAX_SOURCE_CHARS) return empty;

  const parser = await parserFor(grammar);
  // No await from here on: the parser is shared by every caller for this language.
  let tree: Tree | null;
  try {
    tree = parser.parse(RULES[grammar].parsedText?.(source) ?? source);
  } catch {
    return empty;
  }
  if (!tree) return empty;
  const extraction = new FileExtraction(source, rulesFor(grammar, tree.language), watched);
  try {
    extraction.walk(tree);
  } catch {
    // Tree-sitter recovers from any syntax; a failure here is an odd tree, and the symbols found
    // so far are still worth more to a repository map than nothing.
  } finally {
    tree.delete();
  }
  return {
    tags: { language: grammar, symbols: extraction.finishedSymbols(), references: Object.fromEntries(extraction.references) },
    uses: extraction.uses,
  };
}

// ---------------------------------------------------------------------------------------------
// The walk

/** Rules turned into arrays indexed by node type id, so the walk never compares strings. */
interface CompiledRules {
  roles: Uint8Array;
  handlers: (DefinitionHandler | undefined)[];
  wrappers: ReadonlySet<string>;
}

const ROLE_NONE = 0;
const ROLE_REFERENCE = 1;
const ROLE_OPAQUE = 2;
const ROLE_DEFINITION = 3;

const FILE_SCOPE: Scope = {};

class FileExtraction implements Extraction {
  readonly references = new Map<string, number>();
  /** Where the watched name is used (start offsets), when one is watched. */
  readonly uses: number[] = [];
  /** The scope of the node being handled. */
  scope: Scope = FILE_SCOPE;
  private readonly symbols: SymbolInfo[] = [];
  private readonly prototypes = new Set<SymbolInfo>();
  private readonly definitionNameStarts = new Set<number>();

  constructor(
    readonly source: string,
    private readonly rules: CompiledRules,
    private readonly watched?: string,
  ) {}

  text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  walk(tree: Tree): void {
    const { roles, handlers } = this.rules;
    const openScopes: { depth: number; scope: Scope }[] = [];
    const cursor = tree.walk();
    let depth = 0;
    try {
      for (;;) {
        while (openScopes.length > 0 && openScopes[openScopes.length - 1]!.depth >= depth) openScopes.pop();
        const typeId = cursor.nodeTypeId;
        const role = roles[typeId] ?? ROLE_NONE;
        if (role === ROLE_REFERENCE) {
          this.countReference(cursor.startIndex, cursor.endIndex);
        } else if (role === ROLE_DEFINITION) {
          this.scope = openScopes.length > 0 ? openScopes[openScopes.length - 1]!.scope : FILE_SCOPE;
          if (!this.scope.local) {
            const opened = handlers[typeId]!(cursor.currentNode, this);
            if (opened) openScopes.push({ depth, scope: nestScope(this.scope, opened) });
          }
        }
        if (role !== ROLE_OPAQUE && cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return;
          depth--;
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private countReference(start: number, end: number): void {
    if (end <= start || this.definitionNameStarts.has(start)) return;
    const name = this.source.slice(start, end);
    this.references.set(name, (this.references.get(name) ?? 0) + 1);
    if (name === this.watched) this.uses.push(start);
  }

  /** Records a definition named by `nameNode`; returns its name, or undefined when it has none. */
  define(kind: SymbolKind, nameNode: Node | null | undefined, node: Node, options: DefineOptions = {}): string | undefined {
    if (!nameNode) return undefined;
    const name = options.name ?? this.text(nameNode);
    if (!name) return undefined;
    this.markDefinitionName(nameNode);
    const outer = options.head ?? this.outermostWrapper(node);
    const symbol: SymbolInfo = { name, kind, line: outer.startPosition.row + 1, endLine: endLineOf(outer) };
    const container = options.container ?? this.scope.container;
    if (container) symbol.container = container;
    const signature = options.signature ?? signatureOf(this.source, outer, options.body === undefined ? node.childForFieldName('body') : options.body);
    if (signature) symbol.signature = signature;
    this.symbols.push(symbol);
    if (options.declarationOnly) this.prototypes.add(symbol);
    return name;
  }

  private outermostWrapper(node: Node): Node {
    let outer = node;
    for (let parent = node.parent; parent && this.rules.wrappers.has(parent.type); parent = parent.parent) outer = parent;
    return outer;
  }

  /** The identifiers of a name are not references; compound names (`A.B`, `A\B`) have several. */
  private markDefinitionName(nameNode: Node): void {
    if (nameNode.childCount === 0) {
      this.definitionNameStarts.add(nameNode.startIndex);
      return;
    }
    for (const child of nameNode.namedChildren) this.markDefinitionName(child);
  }

  /** Symbols sorted by line, duplicates and prototypes of functions defined here removed. */
  finishedSymbols(): SymbolInfo[] {
    const definedHere = new Set<string>();
    for (const symbol of this.symbols) {
      if (!this.prototypes.has(symbol)) definedHere.add(`${symbol.container ?? ''}\0${symbol.name}`);
    }
    const seen = new Set<string>();
    const kept: SymbolInfo[] = [];
    for (const symbol of this.symbols) {
      if (this.prototypes.has(symbol) && definedHere.has(`${symbol.container ?? ''}\0${symbol.name}`)) continue;
      const identity = `${symbol.name}\0${symbol.kind}\0${symbol.line}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      kept.push(symbol);
    }
    return kept.sort((a, b) => a.line - b.line);
  }
}

function nestScope(outer: Scope, opened: Scope): Scope {
  if (opened.local) return { container: outer.container, ofType: outer.ofType, local: true };
  return { container: opened.container ?? outer.container, ofType: opened.container === undefined ? outer.ofType : opened.ofType === true };
}

function endLineOf(node: Node): number {
  const start = node.startPosition;
  const end = node.endPosition;
  // Some nodes (C preprocessor lines) end just after their newline, at column 0 of the next line.
  return end.column === 0 && end.row > start.row ? end.row : end.row + 1;
}

// ---------------------------------------------------------------------------------------------
// Rule tables

const RULES: Record<GrammarName, LanguageRules> = {
  typescript: ECMASCRIPT_RULES,
  tsx: ECMASCRIPT_RULES,
  javascript: ECMASCRIPT_RULES,
  python: PYTHON_RULES,
  go: GO_RULES,
  rust: RUST_RULES,
  java: JAVA_RULES,
  c: C_RULES,
  cpp: CPP_RULES,
  csharp: CSHARP_RULES,
  ruby: RUBY_RULES,
  php: PHP_RULES,
};

const compiledRules = new Map<GrammarName, CompiledRules>();

function rulesFor(grammar: GrammarName, language: Language): CompiledRules {
  let compiled = compiledRules.get(grammar);
  if (!compiled) {
    compiled = compileRules(RULES[grammar], language);
    compiledRules.set(grammar, compiled);
  }
  return compiled;
}

/** Every id of a named node type gets its role: a grammar can give one name several ids (aliases). */
function compileRules(rules: LanguageRules, language: Language): CompiledRules {
  const references = new Set(rules.references);
  const opaque = new Set(rules.opaque ?? []);
  const roles = new Uint8Array(language.nodeTypeCount);
  const handlers: (DefinitionHandler | undefined)[] = [];
  for (let typeId = 0; typeId < language.nodeTypeCount; typeId++) {
    const type = language.nodeTypeForId(typeId);
    if (!type || !language.nodeTypeIsNamed(typeId)) continue;
    const handler = Object.hasOwn(rules.definitions, type) ? rules.definitions[type] : undefined;
    if (handler) {
      roles[typeId] = ROLE_DEFINITION;
      handlers[typeId] = handler;
    } else if (references.has(type)) {
      roles[typeId] = ROLE_REFERENCE;
    } else if (opaque.has(type)) {
      roles[typeId] = ROLE_OPAQUE;
    }
  }
  return { roles, handlers, wrappers: new Set(rules.wrappers ?? []) };
}
