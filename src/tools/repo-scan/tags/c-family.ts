// Symbol rules for C and C++ (C++ extends the C table).
import type { Node } from 'web-tree-sitter';
import {
  capSignature,
  definition,
  LOCAL,
  MAX_HEAD_SOURCE_CHARS,
  nameOf,
  namespaceDefinition,
  tidySignature,
  type DefineOptions,
  type DefinitionHandler,
  type Extraction,
  type LanguageRules,
  type Scope,
  type SymbolKind,
} from './common.js';

const C_NAME_TYPES = new Set(['identifier', 'field_identifier', 'type_identifier', 'destructor_name', 'operator_name', 'primitive_type']);

interface DeclaredName {
  name: Node;
  /** The name when it is not the name node's text (`operator bool`). */
  text?: string;
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
    if (node.type === 'operator_cast') return operatorCast(node, extraction);
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
  const declared = name.type === 'operator_cast' ? operatorCast(name, extraction) : { name, isFunction };
  const scopeName = scope?.type === 'template_type' ? nameOf(scope) : scope;
  return scopeName ? { ...declared, container: extraction.text(scopeName) } : declared;
}

/** `operator bool() const` is a conversion function named `operator bool`. */
function operatorCast(node: Node, extraction: Extraction): DeclaredName {
  const type = node.childForFieldName('type');
  return { name: node, isFunction: true, text: `operator ${type ? extraction.text(type).replace(/\s+/g, ' ') : ''}`.trim() };
}

/** Options naming a declared name whose text is not its node's. */
const namedAs = (declared: DeclaredName): DefineOptions => (declared.text === undefined ? {} : { name: declared.text });

function cFunction(node: Node, extraction: Extraction): Scope {
  const declared = declaredName(node.childForFieldName('declarator'), extraction);
  if (declared) {
    const kind = declared.container !== undefined || extraction.scope.ofType ? 'method' : 'function';
    extraction.define(
      kind,
      declared.name,
      node,
      declared.container !== undefined ? { ...namedAs(declared), container: declared.container } : namedAs(declared),
    );
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
      const options: DefineOptions = { ...namedAs(declared), declarationOnly: !extraction.scope.ofType, body: null };
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
    if (declared?.isFunction) extraction.define('method', declared.name, node, { ...namedAs(declared), body: null });
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

/** Structs, unions and classes with a body; `struct node *next` merely mentions one. A specialization (`struct is_char<char>`) is named by its template. */
function cRecord(kind: SymbolKind): DefinitionHandler {
  return (node, extraction) => {
    if (!node.childForFieldName('body')) return undefined;
    let nameNode = nameOf(node);
    if (nameNode?.type === 'template_type') nameNode = nameOf(nameNode);
    const name = extraction.define(kind, nameNode, node);
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

export const C_RULES: LanguageRules = {
  definitions: C_DEFINITIONS,
  references: ['identifier', 'type_identifier', 'field_identifier'],
  parsedText: withoutAttributeMacros,
};

// ---------------------------------------------------------------------------------------------
// Macros
//
// Tree-sitter parses C and C++ without running the preprocessor, and a macro it cannot expand in
// a declaration head (`class GTEST_API_ Matcher {`, `FMT_CONSTEXPR FMT_INLINE auto f()`,
// `CURL_EXTERN CURL *curl_easy_init(void);`) or on a line of its own (`FMT_BEGIN_NAMESPACE`,
// `Q_OBJECT`) derails the parse, often for the rest of the file. Such macros are blanked out
// before parsing, keeping every offset: ALL_CAPS names with an underscore (attribute and export
// macros are written that way; types like FILE or DWORD are not touched) in these places only:
// - alone on a line, with arguments (on that line or a few more) and a `;` or not: a macro used
//   as a declaration or statement, or ending the declaration above (its `;` is kept);
// - between `class`/`struct`/`union` and the name, when a body or base list follows;
// - starting a declaration whose head still has a type and a name after them;
// - after a parameter list, before its body or `;` (`f() GTEST_LOCK_EXCLUDED_(mu_) {`).

const MACRO = '[A-Z][A-Z0-9]*_[A-Z0-9_]*';
/** An argument list on one line, one level of nested parentheses. */
const ARGS = String.raw`\((?:[^()\n]|\([^()\n]*\))*\)`;
const LINE_END = String.raw`[ \t]*(?:\r?$|//|/\*)`;
const MACRO_LINE = new RegExp(String.raw`^([ \t]*)((?:${MACRO}(?:[ \t]*${ARGS})?[ \t]*)+)(?=;?${LINE_END})`);
/** A macro call whose arguments go on over the next lines. */
const MACRO_CALL_START = new RegExp(String.raw`^[ \t]*${MACRO}[ \t]*\(`);
const AFTER_MACRO_CALL = new RegExp(String.raw`^[ \t]*;?${LINE_END}`);
/** How many lines a macro call's arguments may take. */
const MAX_MACRO_CALL_LINES = 8;
const MACRO_IN_RECORD_HEAD = new RegExp(
  String.raw`\b((?:class|struct|union)[ \t]+)((?:${MACRO}(?:[ \t]*${ARGS})?[ \t]+)+)(?=[A-Za-z_]\w*[ \t]*(?:[:{]|final\b|\r?$))`,
);
const MACROS_STARTING_DECLARATION = new RegExp(
  String.raw`^([ \t]*(?:(?:static|inline|virtual|explicit|friend|extern|constexpr|template[ \t]*<[^<>\n]*>)[ \t]+)*)((?:${MACRO}(?:[ \t]*${ARGS})?[ \t]+)+)(?=[A-Za-z_:])([^(){};=,[]*)`,
);
const MACRO_AFTER_PARAMETERS = new RegExp(
  String.raw`(\)(?:[ \t]*(?:const|noexcept|override|final|volatile))*[ \t]+)(${MACRO}(?:[ \t]*${ARGS})?)(?=[ \t]*(?:[{;=:]|\r?$|override\b|final\b|const\b|noexcept\b))`,
  'g',
);
/** Words of a declaration head that name neither its type nor itself. */
const QUALIFIERS = new Set(['const', 'volatile', 'restrict']);
const MAY_HOLD_MACRO = /[A-Z0-9]_|_[A-Z]/;
const DIRECTIVE = /^[ \t]*#/;
const CONTINUED = /\\\r?$/;

const blank = (text: string): string => ' '.repeat(text.length);

/** `source` with the macros described above replaced by spaces; preprocessor directives are left as they are. */
export function withoutAttributeMacros(source: string): string {
  const lines = source.split('\n');
  let inDirective = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const isDirective: boolean = inDirective || DIRECTIVE.test(line);
    inDirective = isDirective && CONTINUED.test(line);
    if (isDirective || !MAY_HOLD_MACRO.test(line)) continue;
    const call = MACRO_CALL_START.test(line) ? multilineMacroCall(lines, index) : undefined;
    if (call) {
      blankMacroCall(lines, index, call);
      index = call.endLine;
    } else {
      lines[index] = withoutMacrosInLine(line);
    }
  }
  return lines.join('\n');
}

interface MacroCallEnd {
  endLine: number;
  /** Just after the closing parenthesis. */
  endColumn: number;
}

/** Where the macro call starting `lines[start]` ends, when it takes more lines and nothing but a `;` follows it. */
function multilineMacroCall(lines: string[], start: number): MacroCallEnd | undefined {
  let depth = 0;
  for (let index = start; index < Math.min(lines.length, start + MAX_MACRO_CALL_LINES); index++) {
    const line = lines[index]!;
    for (let column = index === start ? line.indexOf('(') : 0; column < line.length; column++) {
      if (line[column] === '(') depth++;
      else if (line[column] === ')' && --depth === 0) {
        return index > start && AFTER_MACRO_CALL.test(line.slice(column + 1)) ? { endLine: index, endColumn: column + 1 } : undefined;
      }
    }
  }
  return undefined;
}

function blankMacroCall(lines: string[], start: number, end: MacroCallEnd): void {
  for (let index = start; index <= end.endLine; index++) {
    const line = lines[index]!;
    const from = index === start ? line.length - line.trimStart().length : 0;
    const to = index === end.endLine ? end.endColumn : line.length;
    lines[index] = line.slice(0, from) + blank(line.slice(from, to)) + line.slice(to);
  }
}

function withoutMacrosInLine(line: string): string {
  return line
    .replace(MACRO_LINE, (_match, indent: string, macro: string) => indent + blank(macro))
    .replace(MACRO_IN_RECORD_HEAD, (_match, keyword: string, macros: string) => keyword + blank(macros))
    .replace(MACROS_STARTING_DECLARATION, (match, prefix: string, macros: string, rest: string) => {
      const words = rest.match(/[A-Za-z_]\w*/g)?.filter((word) => !QUALIFIERS.has(word)) ?? [];
      return words.length >= 2 ? prefix + blank(macros) + rest : match;
    })
    .replace(MACRO_AFTER_PARAMETERS, (_match, before: string, macro: string) => before + blank(macro));
}

/**
 * Declarations only C++ has, at the start of a line: `namespace x {`, `template <`, `class X … {`,
 * access labels, `using namespace`; or `std::` anywhere. Bounded per line, so linear in the text.
 */
const CPP_MARKERS =
  /^[ \t]*(?:template[ \t]*<|namespace(?:[ \t]+[\w:]+)?[ \t]*\{|class[ \t]+\w+[^;\n]*\{|(?:public|private|protected)[ \t]*:|using[ \t]+namespace[ \t])|\bstd::/m;

/** A `.h` file written in C++ (the extension says C; a C++ library's headers often say `.h` too). */
export function isCppHeader(path: string, source: string): boolean {
  return /\.h$/i.test(path) && CPP_MARKERS.test(source);
}

export const CPP_RULES: LanguageRules = {
  definitions: {
    ...C_DEFINITIONS,
    class_specifier: cRecord('class'),
    field_declaration: cppMemberDeclaration,
    namespace_definition: namespaceDefinition,
    alias_declaration: definition('type'),
  },
  references: ['identifier', 'type_identifier', 'field_identifier', 'namespace_identifier'],
  wrappers: ['template_declaration'],
  parsedText: withoutAttributeMacros,
};
