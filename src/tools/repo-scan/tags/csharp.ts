// Symbol rules for C#.
import type { Node } from 'web-tree-sitter';
import { callable, definition, nameOf, namespaceDefinition, typeDefinition, type Extraction, type LanguageRules } from './common.js';

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

export const CSHARP_RULES: LanguageRules = {
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
