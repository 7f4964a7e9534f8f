// Symbol rules for Ruby.
import type { Node } from 'web-tree-sitter';
import { callable, LOCAL, nameOf, type DefinitionHandler, type Extraction, type LanguageRules, type Scope, type SymbolKind } from './common.js';

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

export const RUBY_RULES: LanguageRules = {
  definitions: {
    module: rubyNamespace('module'),
    class: rubyNamespace('class'),
    method: callable,
    singleton_method: rubySingletonMethod,
    assignment: rubyConstant,
  },
  references: ['identifier', 'constant'],
};
