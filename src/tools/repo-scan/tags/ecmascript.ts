// Symbol rules for TypeScript, TSX and JavaScript (one table: the grammars share their node types).
import type { Node } from 'web-tree-sitter';
import { callable, definition, LOCAL, nameOf, namespaceDefinition, typeDefinition, type Extraction, type LanguageRules, type Scope } from './common.js';

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

export const ECMASCRIPT_RULES: LanguageRules = {
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
