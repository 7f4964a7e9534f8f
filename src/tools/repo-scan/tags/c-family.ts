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

export const C_RULES: LanguageRules = {
  definitions: C_DEFINITIONS,
  references: ['identifier', 'type_identifier', 'field_identifier'],
};

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
};
