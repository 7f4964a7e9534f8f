// Symbol rules for Go.
import type { Node } from 'web-tree-sitter';
import { callable, definition, firstTypeName, LOCAL, nameOf, type Extraction, type LanguageRules, type Scope, type SymbolKind } from './common.js';

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

/** `const` and package-level `var` specs (a function's are local: its body is never walked). */
function goValues(kind: SymbolKind): (node: Node, extraction: Extraction) => undefined {
  return (node, extraction) => {
    const head = goSpecHead(node);
    for (const nameNode of node.childrenForFieldName('name')) {
      if (extraction.text(nameNode) !== '_') extraction.define(kind, nameNode, node, { head, body: null });
    }
    return undefined;
  };
}

export const GO_RULES: LanguageRules = {
  definitions: {
    function_declaration: callable,
    method_declaration: goMethod,
    type_spec: goTypeSpec,
    type_alias: goTypeSpec,
    method_elem: definition('method'),
    const_spec: goValues('constant'),
    var_spec: goValues('variable'),
  },
  references: ['identifier', 'type_identifier', 'field_identifier', 'package_identifier'],
};
