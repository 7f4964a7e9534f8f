import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolSpec } from '../tools/spec.js';

/**
 * The tools/list entries, converted the way the SDK converts zod v4 schemas (draft-7), less
 * the `$schema` key repeated in every schema: MCP defines the dialect, and the bytes count
 * against every client's context (DESIGN.md §5: under 8 KB for all tools).
 */
export async function toolDefinitions(tools: readonly ToolSpec[]): Promise<Tool[]> {
  return Promise.all(
    tools.map(async (tool) => {
      const { input, output } = await tool.schemas();
      return {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: jsonSchema(input, 'input') as Tool['inputSchema'],
        outputSchema: jsonSchema(compactOutputSchema(output), 'output') as Tool['outputSchema'],
        annotations: tool.annotations,
      };
    }),
  );
}

function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
  void $schema;
  return withoutSafeIntegerBounds(rest) as Record<string, unknown>;
}

/**
 * zod writes `.int()` as bounds of ±Number.MAX_SAFE_INTEGER: 30-odd bytes per integer field
 * that tell a client nothing JSON numbers do not already say.
 */
function withoutSafeIntegerBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSafeIntegerBounds);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'maximum' && value === Number.MAX_SAFE_INTEGER) || (key === 'minimum' && value === Number.MIN_SAFE_INTEGER)) continue;
    out[key] = withoutSafeIntegerBounds(value);
  }
  return out;
}

/**
 * The output schema as clients see it: the fields every result has, with their types, and
 * any other field allowed. Full schemas would cost several KB per tool in every tools/list;
 * this looser schema still matches every result, and Baton's own contract tests check each
 * result against the full zod schema.
 */
export function compactOutputSchema(schema: z.ZodObject): z.ZodObject {
  const required = Object.entries(schema.shape).filter(([, field]) => !(field instanceof z.ZodOptional));
  return z.looseObject(Object.fromEntries(required.map(([key, field]) => [key, compactField(field as z.ZodType)])));
}

function compactField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodNullable) return compactField(field.unwrap() as z.ZodType).nullable();
  if (field instanceof z.ZodArray) return z.array(z.any());
  if (field instanceof z.ZodObject || field instanceof z.ZodRecord) return z.record(z.string(), z.any());
  return field;
}
