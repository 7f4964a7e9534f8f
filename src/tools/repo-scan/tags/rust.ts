// Symbol rules for Rust.
import type { Node } from 'web-tree-sitter';
import { callable, definition, firstTypeName, namespaceDefinition, typeDefinition, type Extraction, type LanguageRules, type Scope } from './common.js';

/** `impl Foo`, `impl<T> Trait for Foo<T>`: no symbol, but its functions are methods of Foo. */
function rustImpl(node: Node, extraction: Extraction): Scope | undefined {
  const typeName = firstTypeName(node.childForFieldName('type'), extraction);
  return typeName ? { container: typeName, ofType: true } : undefined;
}

export const RUST_RULES: LanguageRules = {
  definitions: {
    function_item: callable,
    function_signature_item: callable,
    struct_item: definition('struct'),
    union_item: definition('struct'),
    enum_item: definition('enum'),
    trait_item: typeDefinition('trait'),
    type_item: definition('type'),
    associated_type: definition('type'),
    const_item: definition('constant'),
    static_item: definition('constant'),
    mod_item: namespaceDefinition,
    macro_definition: definition('function'),
    impl_item: rustImpl,
  },
  references: ['identifier', 'type_identifier', 'field_identifier'],
};
