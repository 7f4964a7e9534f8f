// Symbol rules for Python.
import type { Node } from 'web-tree-sitter';
import { callable, typeDefinition, type Extraction, type LanguageRules } from './common.js';

const UPPER_CASE = /^_*[A-Z][A-Z0-9_]*$/;

/** `MAX_RETRIES = 3` at module or class level. */
function pythonConstant(node: Node, extraction: Extraction): undefined {
  const left = node.childForFieldName('left');
  if (left?.type !== 'identifier' || !UPPER_CASE.test(extraction.text(left))) return undefined;
  const statement = node.parent;
  const block = statement?.type === 'expression_statement' ? statement.parent : null;
  const atModuleLevel = block?.type === 'module';
  const atClassLevel = block?.type === 'block' && block.parent?.type === 'class_definition';
  if (atModuleLevel || atClassLevel) extraction.define('constant', left, node, { body: null });
  return undefined;
}

export const PYTHON_RULES: LanguageRules = {
  definitions: {
    function_definition: callable,
    class_definition: typeDefinition('class'),
    assignment: pythonConstant,
  },
  references: ['identifier'],
};
