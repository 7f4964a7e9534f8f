import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { compactOutputSchema } from './register.js';

declare const __BATON_TOOL_LIST__: Tool[] | undefined;

/** What tools/list shows of one tool, kept by the registration helper. */
export interface ListedTool {
  name: string;
  title: string;
  description: string;
  schemas(): Promise<{ input: z.ZodObject; output: z.ZodObject }>;
  annotations: Tool['annotations'];
}

/**
 * The tools/list entries, converted the way the SDK converts zod v4 schemas (draft-7), less
 * the `$schema` key repeated in every schema: MCP defines the dialect, and the bytes count
 * against every client's context (DESIGN.md: under 8 KB for all tools).
 */
export async function toolDefinitions(tools: readonly ListedTool[]): Promise<Tool[]> {
  const jsonSchema = (schema: z.ZodObject, io: 'input' | 'output') => {
    const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
    void $schema;
    return rest;
  };
  return Promise.all(
    tools.map(async (tool) => {
      const { input, output } = await tool.schemas();
      return {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: jsonSchema(input, 'input') as Tool['inputSchema'],
        outputSchema: jsonSchema(compactOutputSchema(output), 'output') as Tool['outputSchema'],
        ...(tool.annotations ? { annotations: tool.annotations } : {}),
      };
    }),
  );
}

/**
 * Baton's tools never change while it runs, so tools/list is answered from one list: the one
 * the build computed (scripts/build.mjs), or, when running from source, the one computed on
 * the first call. Converting schemas on every call is what makes tools/list slow elsewhere.
 */
export function installToolList(server: McpServer, tools: readonly ListedTool[]): void {
  let list: Tool[] | Promise<Tool[]> | undefined = typeof __BATON_TOOL_LIST__ !== 'undefined' ? __BATON_TOOL_LIST__ : undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await (list ??= toolDefinitions(tools)) }));
}
