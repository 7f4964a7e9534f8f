// Symbols and references of a source file, from tree-sitter syntax trees.
//
// One pre-order walk over the tree with a TreeCursor does everything: a per-language table maps
// node types either to a handler that records the definitions the node makes, or to "reference"
// (an identifier-like leaf to count). A walk, rather than .scm queries, because containers
// (the class around a method, the type of a Go receiver or a Rust impl), declaration heads and
// C declarator chains need the surrounding structure, which queries hand back only in pieces.
import type { Language, Node, Tree } from 'web-tree-sitter';
import { parserFor, type GrammarName } from './treesitter.js';

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
  | 'module';

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

const LANGUAGE_BY_EXTENSION: Record<string, GrammarName> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
};

/** Past this size a file is generated or vendored far more often than written, and slow to walk. */
const MAX_SOURCE_CHARS = 1_000_000;
const MAX_SIGNATURE_CHARS = 200;
/** A declaration head longer than this is cut before whitespace is collapsed (minified code). */
const MAX_HEAD_SOURCE_CHARS = 1_000;

/** The tree-sitter language id for a path by extension, or undefined when unsupported. */
export function tagLanguageFor(path: string): string | undefined {
  return grammarFor(path);
}

function grammarFor(path: string): GrammarName | undefined {
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return LANGUAGE_BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()];
}

/** Parses `source` with the grammar for `path` and extracts symbols + references. undefined when the language is unsupported. */
export async function extractTags(path: string, source: string): Promise<FileTags | undefined> {
  const grammar = grammarFor(path);
  if (!grammar) return undefined;
  const empty: FileTags = { language: grammar, symbols: [], references: {} };
  if (source.length > MAX_SOURCE_CHARS) return empty;

  const parser = await parserFor(grammar);
  // No await from here on: the parser is shared by every caller for this language.
  let tree: Tree | null;
  try {
    tree = parser.parse(source);
  } catch {
    return empty;
  }
  if (!tree) return empty;
  const extraction = new Extraction(source, rulesFor(grammar, tree.language));
  try {
    extraction.walk(tree);
  } catch {
    // Tree-sitter recovers from any syntax; a failure here is an odd tree, and the symbols found
    // so far are still worth more to a repository map than nothing.
  } finally {
    tree.delete();
  }
  return { language: grammar, symbols: extraction.finishedSymbols(), references: Object.fromEntries(extraction.references) };
}

// ---------------------------------------------------------------------------------------------
// The walk

/** Where a node sits: which container its definitions belong to, and whether it is local code. */
interface Scope {
  container?: string;
  /** The container is a type (class, struct, impl, trait, interface, Ruby module): its functions are methods. */
  ofType?: boolean;
  /** Inside a function body: local definitions there are implementation details, not symbols. */
  local?: boolean;
}

/** Records the definitions `node` makes; returns the scope its descendants are in, when it opens one. */
type DefinitionHandler = (node: Node, extraction: Extraction) => Scope | undefined;

interface LanguageRules {
  definitions: Record<string, DefinitionHandler>;
  /** Identifier-like node types whose text is counted as a reference. */
  references: readonly string[];
  /** Node types whose subtree holds nothing to index (PHP `$variables`). */
  opaque?: readonly string[];
  /** Node types that wrap a definition and belong to its head (`export`, `template <...>`). */
  wrappers?: readonly string[];
}

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

const LOCAL: Scope = { local: true };
const FILE_SCOPE: Scope = {};

interface DefineOptions {
  /** The container when it is not the enclosing scope's (Go receivers, C++ `Foo::bar`). */
  container?: string;
  /** Where the declaration starts, when not at `node` or its wrapper. */
  head?: Node;
  /** Where the signature stops; defaults to the `body` field. */
  body?: Node | null;
  /** The name, when it is not the name node's text. */
  name?: string;
  /** A ready signature, when the generic one would say the wrong thing. */
  signature?: string;
  /** A C/C++ prototype: dropped when the file also defines the function. */
  declarationOnly?: boolean;
}

class Extraction {
  readonly references = new Map<string, number>();
  /** The scope of the node being handled. */
  scope: Scope = FILE_SCOPE;
  private readonly symbols: SymbolInfo[] = [];
  private readonly prototypes = new Set<SymbolInfo>();
  private readonly definitionNameStarts = new Set<number>();

  constructor(
    readonly source: string,
    private readonly rules: CompiledRules,
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
// Signatures

/** Annotations and comments before a declaration: skipped so the signature starts at the code. */
const DECORATIONS = new Set(['decorator', 'marker_annotation', 'annotation', 'attribute_list', 'comment']);

function signatureOf(source: string, outer: Node, body: Node | null): string | undefined {
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

function capSignature(signature: string): string | undefined {
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

function tidySignature(head: string): string {
  return head
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([([]) /g, '$1')
    .replace(/ ([)\]])/g, '$1')
    .replace(/,([)\]])/g, '$1')
    .replace(/;$/, '')
    // `type Item struct {` reads better without its brace; `const api = {` would read worse.
    .replace(/([\w)>]) ?\{$/, '$1');
}

// ---------------------------------------------------------------------------------------------
// Handlers shared by several languages

const nameOf = (node: Node): Node | null => node.childForFieldName('name');

/** A definition that opens no scope (type aliases, enums, constants). */
function definition(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    extraction.define(kind, nameOf(node), node);
    return undefined;
  };
}

/** A class-like definition: functions inside it are its methods. */
function typeDefinition(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    const name = extraction.define(kind, nameOf(node), node);
    return name === undefined ? undefined : { container: name, ofType: true };
  };
}

/** A namespace or module whose functions stay functions. */
function namespaceDefinition(node: Node, extraction: Extraction): Scope | undefined {
  const nameNode = nameOf(node);
  const name = nameNode ? extraction.text(nameNode).replace(/^['"]|['"]$/g, '') : undefined;
  return extraction.define('module', nameNode, node, { name }) === undefined ? undefined : { container: name };
}

/** A function, or a method when it sits in a class-like container. Its body is local. */
function callable(node: Node, extraction: Extraction): Scope {
  extraction.define(extraction.scope.ofType ? 'method' : 'function', nameOf(node), node);
  return LOCAL;
}

/** The first type name inside a type expression: `*Repo[T]` -> Repo, `Vec<Foo>` -> Vec. */
function firstTypeName(node: Node | null, extraction: Extraction): string | undefined {
  if (!node) return undefined;
  if (node.type === 'type_identifier') return extraction.text(node);
  for (const child of node.namedChildren) {
    const name = firstTypeName(child, extraction);
    if (name) return name;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TypeScript, TSX, JavaScript

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

function isModuleLevelStatement(node: Node): boolean {
  let parent = node.parent;
  if (parent?.type === 'export_statement') parent = parent.parent;
  if (!parent) return false;
  if (parent.type === 'program') return true;
  const namespace = parent.type === 'statement_block' ? parent.parent : null;
  return namespace?.type === 'internal_module' || namespace?.type === 'module';
}

/** `require('x')` or `await import('x')`: a module binding, not a constant worth listing. */
function isModuleImport(value: Node, extraction: Extraction): boolean {
  const call = value.type === 'await_expression' ? value.firstNamedChild : value;
  if (call?.type !== 'call_expression') return false;
  const callee = call.childForFieldName('function');
  return callee?.type === 'import' || (callee !== null && extraction.text(callee) === 'require');
}

/** Module-level `const X = ...` (constant), `const f = () => ...` (function), `const C = class {...}`. */
function ecmascriptVariables(node: Node, extraction: Extraction): Scope | undefined {
  if (!isModuleLevelStatement(node)) return undefined;
  const isConst = node.firstChild?.type === 'const';
  let opened: Scope | undefined;
  for (const declarator of node.namedChildren) {
    if (declarator.type !== 'variable_declarator') continue;
    const nameNode = nameOf(declarator);
    if (nameNode?.type !== 'identifier') continue;
    const value = declarator.childForFieldName('value');
    if (value && FUNCTION_VALUES.has(value.type)) {
      extraction.define('function', nameNode, node, { body: value.childForFieldName('body') });
      opened = LOCAL;
    } else if (value?.type === 'class') {
      const name = extraction.define('class', nameNode, node, { body: value.childForFieldName('body') });
      opened = { container: name, ofType: true };
    } else if (isConst && !(value && isModuleImport(value, extraction))) {
      extraction.define('constant', nameNode, node);
    }
  }
  return opened;
}

/** Methods of classes and interfaces; methods of object literals are not symbols. */
function ecmascriptMethod(node: Node, extraction: Extraction): Scope {
  const parentType = node.parent?.type;
  if (extraction.scope.ofType && (parentType === 'class_body' || parentType === 'interface_body')) {
    extraction.define('method', nameOf(node), node);
  }
  return LOCAL;
}

/** A class field holding a function (`onClick = () => {...}`) is a method. */
function ecmascriptFunctionField(node: Node, extraction: Extraction): Scope | undefined {
  const value = node.childForFieldName('value');
  if (!value || !FUNCTION_VALUES.has(value.type)) return undefined;
  if (extraction.scope.ofType) {
    const nameNode = nameOf(node) ?? node.childForFieldName('property');
    extraction.define('method', nameNode, node, { body: value.childForFieldName('body') });
  }
  return LOCAL;
}

/**
 * A function passed as an argument (`describe('x', () => {...})`, `app.get('/', function () {...})`)
 * is local code. An IIFE (`(function () {...})()`) is how older code makes modules, so it is not.
 */
function ecmascriptFunctionValue(node: Node): Scope | undefined {
  return node.parent?.type === 'arguments' ? LOCAL : undefined;
}

const ECMASCRIPT_RULES: LanguageRules = {
  definitions: {
    function_declaration: callable,
    generator_function_declaration: callable,
    function_signature: callable,
    class_declaration: typeDefinition('class'),
    abstract_class_declaration: typeDefinition('class'),
    class: typeDefinition('class'),
    interface_declaration: typeDefinition('interface'),
    type_alias_declaration: definition('type'),
    enum_declaration: definition('enum'),
    internal_module: namespaceDefinition,
    module: namespaceDefinition,
    method_definition: ecmascriptMethod,
    method_signature: ecmascriptMethod,
    abstract_method_signature: ecmascriptMethod,
    public_field_definition: ecmascriptFunctionField,
    field_definition: ecmascriptFunctionField,
    lexical_declaration: ecmascriptVariables,
    variable_declaration: ecmascriptVariables,
    ...Object.fromEntries([...FUNCTION_VALUES].map((type) => [type, ecmascriptFunctionValue])),
  },
  references: ['identifier', 'type_identifier', 'property_identifier', 'shorthand_property_identifier', 'private_property_identifier'],
  wrappers: ['export_statement', 'ambient_declaration'],
};

// ---------------------------------------------------------------------------------------------
// Python

const UPPER_CASE = /^_*[A-Z][A-Z0-9_]*$/;

/** `MAX_RETRIES = 3` at module or class level. */
function pythonConstant(node: Node, extraction: Extraction): undefined {
  const left = node.childForFieldName('left');
  if (left?.type !== 'identifier' || !UPPER_CASE.test(extraction.text(left))) return undefined;
  const statement = node.parent;
  const block = statement?.type === 'expression_statement' ? statement.parent : null;
  const atModuleLevel = block?.type === 'module';
  const atClassLevel = block?.type === 'block' && block.parent?.type === 'class_definition';
  if (atModuleLevel || atClassLevel) extraction.define('constant', left, node, { body: null });
  return undefined;
}

const PYTHON_RULES: LanguageRules = {
  definitions: {
    function_definition: callable,
    class_definition: typeDefinition('class'),
    assignment: pythonConstant,
  },
  references: ['identifier'],
};

// ---------------------------------------------------------------------------------------------
// Go

/** A spec's head is its `type`/`const` keyword line when the spec is not in a group. */
function goSpecHead(spec: Node): Node {
  const declaration = spec.parent;
  return declaration && declaration.startPosition.row === spec.startPosition.row ? declaration : spec;
}

function goTypeSpec(node: Node, extraction: Extraction): Scope | undefined {
  const typeKind = node.childForFieldName('type')?.type;
  const kind: SymbolKind = typeKind === 'struct_type' ? 'struct' : typeKind === 'interface_type' ? 'interface' : 'type';
  const name = extraction.define(kind, nameOf(node), node, { head: goSpecHead(node), body: null });
  return name === undefined ? undefined : { container: name, ofType: true };
}

function goMethod(node: Node, extraction: Extraction): Scope {
  const receiverType = firstTypeName(node.childForFieldName('receiver'), extraction);
  extraction.define('method', nameOf(node), node, receiverType ? { container: receiverType } : {});
  return LOCAL;
}

function goConstant(node: Node, extraction: Extraction): undefined {
  const head = goSpecHead(node);
  for (const nameNode of node.childrenForFieldName('name')) {
    extraction.define('constant', nameNode, node, { head, body: null });
  }
  return undefined;
}

const GO_RULES: LanguageRules = {
  definitions: {
    function_declaration: callable,
    method_declaration: goMethod,
    type_spec: goTypeSpec,
    type_alias: goTypeSpec,
    method_elem: definition('method'),
    const_spec: goConstant,
  },
  references: ['identifier', 'type_identifier', 'field_identifier', 'package_identifier'],
};

// ---------------------------------------------------------------------------------------------
// Rust

/** `impl Foo`, `impl<T> Trait for Foo<T>`: no symbol, but its functions are methods of Foo. */
function rustImpl(node: Node, extraction: Extraction): Scope | undefined {
  const typeName = firstTypeName(node.childForFieldName('type'), extraction);
  return typeName ? { container: typeName, ofType: true } : undefined;
}

const RUST_RULES: LanguageRules = {
  definitions: {
    function_item: callable,
    function_signature_item: callable,
    struct_item: definition('struct'),
    union_item: definition('struct'),
    enum_item: definition('enum'),
    trait_item: typeDefinition('trait'),
    type_item: definition('type'),
    const_item: definition('constant'),
    static_item: definition('constant'),
    mod_item: namespaceDefinition,
    macro_definition: definition('function'),
    impl_item: rustImpl,
  },
  references: ['identifier', 'type_identifier', 'field_identifier'],
};

// ---------------------------------------------------------------------------------------------
// Java

function hasModifiers(modifiers: Node | null | undefined, wanted: readonly string[]): boolean {
  if (!modifiers) return false;
  const present = new Set<string>();
  for (let modifier = modifiers.firstChild; modifier; modifier = modifier.nextSibling) present.add(modifier.type);
  return wanted.every((keyword) => present.has(keyword));
}

/** `static final` fields are constants; interface fields always are. */
function javaConstantField(node: Node, extraction: Extraction): undefined {
  const modifiers = node.namedChildren.find((child) => child.type === 'modifiers');
  if (node.type === 'field_declaration' && !hasModifiers(modifiers, ['static', 'final'])) return undefined;
  for (const declarator of node.childrenForFieldName('declarator')) {
    extraction.define('constant', nameOf(declarator), node, { body: null });
  }
  return undefined;
}

const JAVA_RULES: LanguageRules = {
  definitions: {
    class_declaration: typeDefinition('class'),
    record_declaration: typeDefinition('class'),
    interface_declaration: typeDefinition('interface'),
    annotation_type_declaration: typeDefinition('interface'),
    enum_declaration: typeDefinition('enum'),
    method_declaration: callable,
    constructor_declaration: callable,
    compact_constructor_declaration: callable,
    field_declaration: javaConstantField,
    constant_declaration: javaConstantField,
  },
  references: ['identifier', 'type_identifier'],
};

// ---------------------------------------------------------------------------------------------
// C and C++

const C_NAME_TYPES = new Set(['identifier', 'field_identifier', 'type_identifier', 'destructor_name', 'operator_name', 'primitive_type']);

interface DeclaredName {
  name: Node;
  /** A function (not a pointer to one). */
  isFunction: boolean;
  /** The class of a qualified definition (`Circle::area` -> Circle). */
  container?: string;
}

/** Follows a C declarator chain (`*name(...)`, `(*name)(...)`, `name[4] = ...`) to the declared name. */
function declaredName(declarator: Node | null, extraction: Extraction): DeclaredName | undefined {
  let node = declarator;
  let isFunction = false;
  for (let steps = 0; node && steps < 32; steps++) {
    if (C_NAME_TYPES.has(node.type)) return { name: node, isFunction };
    if (node.type === 'qualified_identifier') return qualifiedName(node, isFunction, extraction);
    if (node.type === 'template_function') {
      node = nameOf(node);
    } else if (node.type === 'function_declarator') {
      // `(*name)(...)` declares a pointer to a function, not a function.
      node = node.childForFieldName('declarator');
      isFunction = node !== null && node.type !== 'parenthesized_declarator';
    } else {
      node = node.childForFieldName('declarator') ?? node.firstNamedChild;
    }
  }
  return undefined;
}

function qualifiedName(node: Node, isFunction: boolean, extraction: Extraction): DeclaredName | undefined {
  let scope = node.childForFieldName('scope');
  let name = nameOf(node);
  while (name?.type === 'qualified_identifier') {
    scope = name.childForFieldName('scope');
    name = nameOf(name);
  }
  if (name?.type === 'template_function') name = nameOf(name);
  if (!name) return undefined;
  const scopeName = scope?.type === 'template_type' ? nameOf(scope) : scope;
  return scopeName ? { name, isFunction, container: extraction.text(scopeName) } : { name, isFunction };
}

function cFunction(node: Node, extraction: Extraction): Scope {
  const declared = declaredName(node.childForFieldName('declarator'), extraction);
  if (declared) {
    const kind = declared.container !== undefined || extraction.scope.ofType ? 'method' : 'function';
    extraction.define(kind, declared.name, node, declared.container !== undefined ? { container: declared.container } : {});
  }
  return LOCAL;
}

function isConstQualified(node: Node, extraction: Extraction): boolean {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.type !== 'type_qualifier') continue;
    const qualifier = extraction.text(child);
    if (qualifier === 'const' || qualifier === 'constexpr') return true;
  }
  return false;
}

/** File-level declarations: function prototypes and `const` variables. */
function cDeclaration(node: Node, extraction: Extraction): undefined {
  for (const declarator of node.childrenForFieldName('declarator')) {
    const declared = declaredName(declarator, extraction);
    if (!declared) continue;
    if (declared.isFunction) {
      const kind = declared.container !== undefined || extraction.scope.ofType ? 'method' : 'function';
      const options: DefineOptions = { declarationOnly: !extraction.scope.ofType, body: null };
      if (declared.container !== undefined) options.container = declared.container;
      extraction.define(kind, declared.name, node, options);
    } else if (declarator.type === 'init_declarator' && isConstQualified(node, extraction)) {
      extraction.define('constant', declared.name, node, { body: null });
    }
  }
  return undefined;
}

/** Members declared in a C++ class body: method declarations and static constants. */
function cppMemberDeclaration(node: Node, extraction: Extraction): undefined {
  if (!extraction.scope.ofType) return undefined;
  const isStatic = node.namedChildren.some((child) => child.type === 'storage_class_specifier' && extraction.text(child) === 'static');
  for (const declarator of node.childrenForFieldName('declarator')) {
    const declared = declaredName(declarator, extraction);
    if (declared?.isFunction) extraction.define('method', declared.name, node, { body: null });
    else if (declared && isStatic && isConstQualified(node, extraction)) extraction.define('constant', declared.name, node, { body: null });
  }
  return undefined;
}

/** `typedef struct buffer {...} buffer_t;` -> type buffer_t, signature "typedef struct buffer {…} buffer_t". */
function cTypedef(node: Node, extraction: Extraction): undefined {
  const typeBody = node.childForFieldName('type')?.childForFieldName('body');
  let signature: string | undefined;
  if (typeBody) {
    const before = extraction.source.slice(node.startIndex, typeBody.startIndex);
    const after = extraction.source.slice(typeBody.endIndex, Math.min(node.endIndex, typeBody.endIndex + MAX_HEAD_SOURCE_CHARS));
    signature = capSignature(tidySignature(`${tidySignature(before)} {…} ${after}`));
  }
  for (const declarator of node.childrenForFieldName('declarator')) {
    const declared = declaredName(declarator, extraction);
    if (declared) extraction.define('type', declared.name, node, signature === undefined ? { body: null } : { signature });
  }
  return undefined;
}

/** Structs, unions and classes with a body; `struct node *next` merely mentions one. */
function cRecord(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    if (!node.childForFieldName('body')) return undefined;
    const name = extraction.define(kind, nameOf(node), node);
    return name === undefined ? undefined : { container: name, ofType: true };
  };
}

/** `#define NAME value`; a bare `#define NAME` is an include guard or a flag, not a constant. */
function cMacroConstant(node: Node, extraction: Extraction): undefined {
  if (node.childForFieldName('value')) extraction.define('constant', nameOf(node), node, { body: null });
  return undefined;
}

function cEnum(node: Node, extraction: Extraction): undefined {
  if (node.childForFieldName('body')) extraction.define('enum', nameOf(node), node);
  return undefined;
}

const C_DEFINITIONS: Record<string, DefinitionHandler> = {
  function_definition: cFunction,
  declaration: cDeclaration,
  type_definition: cTypedef,
  struct_specifier: cRecord('struct'),
  union_specifier: cRecord('struct'),
  enum_specifier: cEnum,
  preproc_def: cMacroConstant,
  preproc_function_def: definition('function'),
};

const C_RULES: LanguageRules = {
  definitions: C_DEFINITIONS,
  references: ['identifier', 'type_identifier', 'field_identifier'],
};

const CPP_RULES: LanguageRules = {
  definitions: {
    ...C_DEFINITIONS,
    class_specifier: cRecord('class'),
    field_declaration: cppMemberDeclaration,
    namespace_definition: namespaceDefinition,
    alias_declaration: definition('type'),
  },
  references: ['identifier', 'type_identifier', 'field_identifier', 'namespace_identifier'],
  wrappers: ['template_declaration'],
};

// ---------------------------------------------------------------------------------------------
// C#

/** `const` fields and `static readonly` fields are constants. */
function csharpConstantField(node: Node, extraction: Extraction): undefined {
  const modifiers = new Set<string>();
  for (const child of node.namedChildren) if (child.type === 'modifier') modifiers.add(extraction.text(child));
  if (!modifiers.has('const') && !(modifiers.has('static') && modifiers.has('readonly'))) return undefined;
  const variables = node.namedChildren.find((child) => child.type === 'variable_declaration');
  for (const declarator of variables?.namedChildren ?? []) {
    if (declarator.type === 'variable_declarator') extraction.define('constant', nameOf(declarator) ?? declarator.firstNamedChild, node, { body: null });
  }
  return undefined;
}

const CSHARP_RULES: LanguageRules = {
  definitions: {
    namespace_declaration: namespaceDefinition,
    file_scoped_namespace_declaration: namespaceDefinition,
    class_declaration: typeDefinition('class'),
    record_declaration: typeDefinition('class'),
    struct_declaration: typeDefinition('struct'),
    interface_declaration: typeDefinition('interface'),
    enum_declaration: definition('enum'),
    delegate_declaration: definition('type'),
    method_declaration: callable,
    constructor_declaration: callable,
    destructor_declaration: callable,
    field_declaration: csharpConstantField,
  },
  references: ['identifier'],
};

// ---------------------------------------------------------------------------------------------
// Ruby

/** `class Billing::Invoice` is named Invoice. */
function rubyNameOf(node: Node): Node | null {
  const name = nameOf(node);
  return name?.type === 'scope_resolution' ? nameOf(name) : name;
}

/** Classes and modules: `def` inside either defines a method. */
function rubyNamespace(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    const name = extraction.define(kind, rubyNameOf(node), node);
    return name === undefined ? undefined : { container: name, ofType: true };
  };
}

function rubySingletonMethod(node: Node, extraction: Extraction): Scope {
  extraction.define('method', nameOf(node), node);
  return LOCAL;
}

function rubyConstant(node: Node, extraction: Extraction): undefined {
  const left = node.childForFieldName('left');
  if (left?.type === 'constant') extraction.define('constant', left, node, { body: null });
  return undefined;
}

const RUBY_RULES: LanguageRules = {
  definitions: {
    module: rubyNamespace('module'),
    class: rubyNamespace('class'),
    method: callable,
    singleton_method: rubySingletonMethod,
    assignment: rubyConstant,
  },
  references: ['identifier', 'constant'],
};

// ---------------------------------------------------------------------------------------------
// PHP

/** `namespace App;` names the file's namespace; only the braced form encloses declarations. */
function phpNamespace(node: Node, extraction: Extraction): Scope | undefined {
  const name = extraction.define('module', nameOf(node), node);
  return name !== undefined && node.childForFieldName('body') ? { container: name } : undefined;
}

function phpConstant(node: Node, extraction: Extraction): undefined {
  const nameNode = node.namedChildren.find((child) => child.type === 'name');
  const declaration = node.parent?.type === 'const_declaration' ? node.parent : node;
  extraction.define('constant', nameNode, node, { head: declaration, body: null });
  return undefined;
}

const PHP_RULES: LanguageRules = {
  definitions: {
    namespace_definition: phpNamespace,
    class_declaration: typeDefinition('class'),
    interface_declaration: typeDefinition('interface'),
    trait_declaration: typeDefinition('trait'),
    enum_declaration: typeDefinition('enum'),
    function_definition: callable,
    method_declaration: callable,
    const_element: phpConstant,
  },
  references: ['name'],
  // `$user` is a local variable; its inner `name` node would count "user" as a reference.
  opaque: ['variable_name'],
};

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
