// Symbol rules for TypeScript, TSX and JavaScript (one table: the grammars share their node types).
//
// Besides declarations, JavaScript defines much of its API by assignment, and module-level
// assignments are definitions here too:
// - CommonJS exports: `exports.x = …`, `module.exports.x = …`, `module.exports = function name() {…}`;
// - members set on an object: `app.listen = function listen() {…}`, `Foo.prototype.bar = …`,
//   `Foo.create = …`;
// - function-valued members of an object literal bound at module level: `module.exports = {…}`,
//   `Foo.prototype = {…}`, `const api = {…}`, `export default {…}`.
// The container of an assigned member is its receiver as written (`app`, `Foo.prototype`,
// `exports`, `module.exports`); the container of an object literal's member is what the object is
// bound to (`module.exports`, `Foo.prototype`, `api`, `exports.cursor`, `default`). Either way it is
// what a reader types to reach the member. `module.exports = function name() {…}` is the module
// itself: it is listed under the function's own name, and not at all when it has none.
//
// Module-level code is everything outside function bodies (a namespace's body, a top-level IIFE's
// body and top-level blocks included); what a function body defines is local and never listed.
import type { Node } from 'web-tree-sitter';
import {
  callable,
  definition,
  LOCAL,
  nameOf,
  namespaceDefinition,
  typeDefinition,
  type Extraction,
  type LanguageRules,
  type Scope,
  type SymbolKind,
} from './common.js';

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const CLASS_VALUES = new Set(['class']);
/** Loops whose head declares the loop variable: `for (let i …)` is no module-level binding. */
const LOOP_HEADS = new Set(['for_statement', 'for_in_statement', 'for_of_statement']);
/** Receivers whose members are the module's exports: their functions are functions, not methods. */
const EXPORTS_OBJECTS = new Set(['exports', 'module.exports']);

/** `(x)`, `a = b = x`, `x as const` -> x: the value a chain of assignments binds. */
function boundValue(node: Node | null): Node | null {
  let value = node;
  for (let steps = 0; value && steps < 16; steps++) {
    if (value.type === 'parenthesized_expression' || value.type === 'as_expression' || value.type === 'satisfies_expression') {
      value = value.firstNamedChild;
    } else if (value.type === 'assignment_expression') {
      value = value.childForFieldName('right');
    } else {
      return value;
    }
  }
  return value;
}

/** `require('x')`, `require('x').y` or `await import('x')`: a module binding, not a definition. */
function isModuleImport(value: Node, extraction: Extraction): boolean {
  let call: Node | null = value;
  while (call && (call.type === 'member_expression' || call.type === 'await_expression')) {
    call = call.type === 'member_expression' ? call.childForFieldName('object') : call.firstNamedChild;
  }
  if (call?.type !== 'call_expression') return false;
  const callee = call.childForFieldName('function');
  return callee?.type === 'import' || (callee !== null && extraction.text(callee) === 'require');
}

/** `a.b . c` -> "a.b.c": a receiver as written, whitespace dropped. */
const compact = (node: Node, extraction: Extraction): string => extraction.text(node).replace(/\s+/g, '');

/** The key of an object member or a string: `"b-c"` -> b-c; computed keys have no name. */
function keyName(key: Node, extraction: Extraction): string | undefined {
  if (key.type === 'computed_property_name') return undefined;
  return key.type === 'string' ? extraction.text(key).slice(1, -1) : extraction.text(key);
}

/** Lists the methods of an object literal: function-valued members. Data members are not API. */
function defineObjectMembers(object: Node, container: string, extraction: Extraction): void {
  for (const member of object.namedChildren) {
    if (member.type === 'method_definition') {
      extraction.define('method', nameOf(member), member, { container });
    } else if (member.type === 'pair') {
      const key = member.childForFieldName('key');
      const value = boundValue(member.childForFieldName('value'));
      if (!key || !value || !FUNCTION_VALUES.has(value.type)) continue;
      const name = keyName(key, extraction);
      if (name) extraction.define('method', key, member, { container, name, body: value.childForFieldName('body') });
    }
  }
}

/** Defines what `value` makes of a name: a function, a class (whose scope it returns), or `fallback`. */
function defineValue(
  value: Node | null,
  nameNode: Node,
  head: Node,
  extraction: Extraction,
  kinds: { function: SymbolKind; fallback?: SymbolKind | undefined },
  options: { container?: string } = {},
): Scope | undefined {
  if (value && FUNCTION_VALUES.has(value.type)) {
    extraction.define(kinds.function, nameNode, head, { ...options, body: value.childForFieldName('body') });
    return LOCAL;
  }
  if (value && CLASS_VALUES.has(value.type)) {
    const name = extraction.define('class', nameNode, head, { ...options, body: value.childForFieldName('body') });
    return name === undefined ? undefined : { container: name, ofType: true };
  }
  if (kinds.fallback) extraction.define(kinds.fallback, nameNode, head, { ...options, body: null });
  if (value?.type === 'object') {
    const name = extraction.text(nameNode);
    defineObjectMembers(value, options.container ? `${options.container}.${name}` : name, extraction);
    return LOCAL;
  }
  return undefined;
}

/** The names a destructuring pattern binds: `{ a, b: c, d = 1, ...e }` -> a, c, d, e. */
function* patternNames(pattern: Node, depth = 0): Generator<Node> {
  if (depth > 16) return;
  switch (pattern.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      yield pattern;
      return;
    case 'pair_pattern':
    case 'object_assignment_pattern':
    case 'assignment_pattern': {
      const bound = pattern.childForFieldName(pattern.type === 'pair_pattern' ? 'value' : 'left');
      if (bound) yield* patternNames(bound, depth + 1);
      return;
    }
    case 'object_pattern':
    case 'array_pattern':
    case 'rest_pattern':
      for (const child of pattern.namedChildren) yield* patternNames(child, depth + 1);
  }
}

/**
 * Module-level `const`/`let`/`var`: functions and classes bound to a name are functions and
 * classes, objects are listed with their methods, the rest are constants (`const`) or variables.
 * Imports (`require`, `import()`) are edges between files, not symbols.
 */
function ecmascriptVariables(node: Node, extraction: Extraction): Scope | undefined {
  const statement = node.parent?.type === 'export_statement' ? node.parent : node;
  if (LOOP_HEADS.has(statement.parent?.type ?? '')) return undefined;
  const fallback: SymbolKind = node.firstChild?.type === 'const' ? 'constant' : 'variable';
  let opened: Scope | undefined;
  for (const declarator of node.namedChildren) {
    if (declarator.type !== 'variable_declarator') continue;
    const nameNode = nameOf(declarator);
    const value = boundValue(declarator.childForFieldName('value'));
    if (!nameNode || (value && isModuleImport(value, extraction))) continue;
    if (nameNode.type === 'identifier') {
      opened = defineValue(value, nameNode, node, extraction, { function: 'function', fallback }) ?? opened;
    } else {
      for (const bound of patternNames(nameNode)) extraction.define(fallback, bound, node, { body: null });
    }
  }
  return opened;
}

/**
 * A module-level assignment to a member: `exports.x = …`, `app.listen = function listen() {…}`,
 * `Foo.prototype.bar = …`, `Foo.prototype = {…}`, `module.exports = …`.
 */
function ecmascriptAssignment(node: Node, extraction: Extraction): Scope | undefined {
  const assignment = boundExpression(node.firstNamedChild);
  if (assignment?.type !== 'assignment_expression') return undefined;
  const value = boundValue(assignment);
  let opened: Scope | undefined;
  for (let target: Node | null = assignment; target?.type === 'assignment_expression'; target = boundExpression(target.childForFieldName('right'))) {
    const left = target.childForFieldName('left');
    if (left?.type !== 'member_expression') continue;
    opened = defineMember(left, value, target, extraction) ?? opened;
  }
  return opened;
}

/** `(a = b)` -> `a = b`: parentheses around a statement's expression. */
function boundExpression(node: Node | null): Node | null {
  let expression = node;
  while (expression?.type === 'parenthesized_expression') expression = expression.firstNamedChild;
  return expression;
}

/** `app`, `this`, `Foo.prototype`: a receiver a reader can name (not `require('x')` or `a[b]`). */
function isNamePath(node: Node): boolean {
  let path: Node | null = node;
  for (let steps = 0; path && steps < 16; steps++) {
    if (path.type === 'identifier' || path.type === 'this') return true;
    if (path.type !== 'member_expression' || path.childForFieldName('property')?.type !== 'property_identifier') return false;
    path = path.childForFieldName('object');
  }
  return false;
}

function defineMember(member: Node, value: Node | null, head: Node, extraction: Extraction): Scope | undefined {
  const object = member.childForFieldName('object');
  const property = member.childForFieldName('property');
  if (!object || !property || property.type === 'computed_property_name' || !isNamePath(object)) return undefined;
  const receiver = compact(object, extraction);
  const name = extraction.text(property);
  // `module.exports = …` is the module itself: listed by its own name when it has one. Without
  // one there is nothing to look up, and `exports` would tie the file to every CommonJS module.
  if (receiver === 'module' && name === 'exports') {
    if (value?.type === 'object') {
      defineObjectMembers(value, 'module.exports', extraction);
      return LOCAL;
    }
    const isCode = value !== null && (FUNCTION_VALUES.has(value.type) || CLASS_VALUES.has(value.type));
    const ownName = isCode ? nameOf(value) : null;
    if (ownName) return defineValue(value, ownName, head, extraction, { function: 'function' });
    return isCode && CLASS_VALUES.has(value.type) ? { container: 'module.exports', ofType: true } : isCode ? LOCAL : undefined;
  }
  // `Foo.prototype = {…}`: the prototype's methods.
  if (name === 'prototype') {
    if (value?.type !== 'object') return undefined;
    defineObjectMembers(value, `${receiver}.prototype`, extraction);
    return LOCAL;
  }
  const isExport = EXPORTS_OBJECTS.has(receiver);
  // `exports.app = proto` and `Foo.prototype.globals = Foo.prototype.global` give a second name;
  // `exports.Router = Router` re-exports one, and `Foo.prototype.constructor = Foo` is bookkeeping.
  if (value?.type === 'member_expression' || (isExport && value?.type === 'identifier')) {
    const lastName = value.type === 'identifier' ? extraction.text(value) : extraction.text(value.childForFieldName('property') ?? value);
    if (lastName !== name && !isModuleImport(value, extraction)) extraction.define('alias', property, head, { container: receiver, body: null });
    return undefined;
  }
  if (value && !isExport && !FUNCTION_VALUES.has(value.type) && !CLASS_VALUES.has(value.type) && value.type !== 'object') return undefined;
  if (value && isModuleImport(value, extraction)) return undefined;
  return defineValue(
    value,
    property,
    head,
    extraction,
    { function: isExport ? 'function' : 'method', fallback: isExport ? 'constant' : undefined },
    { container: receiver },
  );
}

/**
 * `export default …` with no declaration (a named function or class expression, an object
 * literal's methods in `default`); `export { a as b }` and `export * as ns from` give new names.
 * `export { a }` gives none: `a` is listed where it is defined.
 */
function ecmascriptExport(node: Node, extraction: Extraction): Scope | undefined {
  const defaultValue = node.childForFieldName('value');
  if (defaultValue) {
    const value = boundValue(defaultValue);
    if (!value) return undefined;
    if (value.type === 'object') {
      defineObjectMembers(value, 'default', extraction);
      return LOCAL;
    }
    if (!FUNCTION_VALUES.has(value.type) && !CLASS_VALUES.has(value.type)) return undefined;
    const ownName = nameOf(value);
    if (ownName) return defineValue(value, ownName, node, extraction, { function: 'function' });
    // An anonymous default has no name to look up, and `default` would tie the file to every
    // `.default` in the repository: not listed, though its class's methods are, in `default`.
    return CLASS_VALUES.has(value.type) ? { container: 'default', ofType: true } : LOCAL;
  }
  for (const child of node.namedChildren) {
    if (child.type === 'namespace_export') {
      extraction.define('module', child.namedChildren.find((part) => part.type !== 'string') ?? null, node, { body: null });
    } else if (child.type === 'export_clause') {
      for (const specifier of child.namedChildren) {
        const alias = specifier.childForFieldName('alias');
        const name = alias ? keyName(alias, extraction) : undefined;
        if (specifier.type === 'export_specifier' && name && name !== 'default') extraction.define('alias', alias, node, { body: null, name });
      }
    }
  }
  return undefined;
}

const classValue = typeDefinition('class');

/** A class expression: listed by the binding it is the value of, or by its own name. */
function ecmascriptClassValue(node: Node, extraction: Extraction): Scope | undefined {
  let bound: Node = node;
  while (bound.parent?.type === 'parenthesized_expression') bound = bound.parent;
  const binding = bound.parent?.type;
  if (binding === 'variable_declarator' || binding === 'assignment_expression' || binding === 'export_statement') return undefined;
  return classValue(node, extraction);
}

/** Methods of classes and interfaces (object literals' are listed with their binding). */
function ecmascriptMethod(node: Node, extraction: Extraction): Scope {
  const parentType = node.parent?.type;
  if (extraction.scope.ofType && (parentType === 'class_body' || parentType === 'interface_body')) {
    const name = extraction.define('method', nameOf(node), node);
    if (name === 'constructor') defineParameterProperties(node, extraction);
  }
  return LOCAL;
}

/** `constructor(private readonly store: Store)` declares the field `store`. */
function defineParameterProperties(constructorNode: Node, extraction: Extraction): void {
  for (const parameter of constructorNode.childForFieldName('parameters')?.namedChildren ?? []) {
    const declaresField = parameter.children.some(
      (child) => child.type === 'accessibility_modifier' || child.type === 'readonly' || child.type === 'override_modifier',
    );
    const pattern = parameter.childForFieldName('pattern');
    if (declaresField && pattern?.type === 'identifier') extraction.define('field', pattern, parameter, { body: null });
  }
}

/** Class fields, static or not: a field holding a function (`onClick = () => {...}`) is a method. */
function ecmascriptField(node: Node, extraction: Extraction): Scope {
  if (!extraction.scope.ofType || node.parent?.type !== 'class_body') return LOCAL;
  const nameNode = nameOf(node) ?? node.childForFieldName('property');
  const value = boundValue(node.childForFieldName('value'));
  if (value && FUNCTION_VALUES.has(value.type)) extraction.define('method', nameNode, node, { body: value.childForFieldName('body') });
  else extraction.define('field', nameNode, node, { body: null });
  return LOCAL;
}

/**
 * A function value not bound by a declaration or an assignment. Passed as an argument, it is
 * local code (`describe('x', () => {...})`), but when it has a name of its own at module level
 * (`defineGetter(req, 'ip', function ip() {...})`) that name is a definition. An IIFE
 * (`(function () {...})()`) is how older code makes modules: its body is module-level code.
 */
function ecmascriptFunctionValue(node: Node, extraction: Extraction): Scope | undefined {
  if (isImmediatelyInvoked(node)) return undefined;
  if (node.parent?.type === 'arguments') {
    const nameNode = nameOf(node);
    if (nameNode) extraction.define('function', nameNode, node);
  }
  return LOCAL;
}

/** `(function () {…})()`, `(() => {…})()`, `(function () {…}).call(this)`, `!function () {…}()`. */
function isImmediatelyInvoked(fn: Node): boolean {
  let callee: Node = fn;
  while (callee.parent?.type === 'parenthesized_expression') callee = callee.parent;
  let parent = callee.parent;
  if (parent?.type === 'member_expression' && /^(call|apply)$/.test(parent.childForFieldName('property')?.text ?? '')) {
    callee = parent;
    parent = parent.parent;
  }
  return parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === callee.id;
}

export const ECMASCRIPT_RULES: LanguageRules = {
  definitions: {
    function_declaration: callable,
    generator_function_declaration: callable,
    function_signature: callable,
    class_declaration: typeDefinition('class'),
    abstract_class_declaration: typeDefinition('class'),
    class: ecmascriptClassValue,
    interface_declaration: typeDefinition('interface'),
    type_alias_declaration: definition('type'),
    enum_declaration: definition('enum'),
    internal_module: namespaceDefinition,
    module: namespaceDefinition,
    method_definition: ecmascriptMethod,
    method_signature: ecmascriptMethod,
    abstract_method_signature: ecmascriptMethod,
    public_field_definition: ecmascriptField,
    field_definition: ecmascriptField,
    class_static_block: () => LOCAL,
    lexical_declaration: ecmascriptVariables,
    variable_declaration: ecmascriptVariables,
    expression_statement: ecmascriptAssignment,
    export_statement: ecmascriptExport,
    ...Object.fromEntries([...FUNCTION_VALUES].map((type) => [type, ecmascriptFunctionValue])),
  },
  references: ['identifier', 'type_identifier', 'property_identifier', 'shorthand_property_identifier', 'private_property_identifier'],
  wrappers: ['export_statement', 'ambient_declaration'],
};
