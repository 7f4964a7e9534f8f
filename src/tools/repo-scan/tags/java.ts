// Symbol rules for Java.
import type { Node } from 'web-tree-sitter';
import { callable, nameOf, typeDefinition, type Extraction, type LanguageRules } from './common.js';

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

export const JAVA_RULES: LanguageRules = {
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
