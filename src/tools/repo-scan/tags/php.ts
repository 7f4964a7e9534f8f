// Symbol rules for PHP.
import type { Node } from 'web-tree-sitter';
import { callable, nameOf, typeDefinition, type Extraction, type LanguageRules, type Scope } from './common.js';

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

export const PHP_RULES: LanguageRules = {
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
