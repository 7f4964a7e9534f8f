import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ToolContext } from '../core/context.js';
import type { FileTouched, TestOutcome } from '../session/types.js';

/** A tool's zod schemas: the MCP input and output schemas, and the boundary validation. */
export interface ToolSchemas<In extends z.ZodObject, Out extends z.ZodObject> {
  input: In;
  output: Out;
}

/** Facts a call leaves in the session log beyond its digest, so the brief knows them. */
export interface SessionFacts {
  files?: FileTouched[];
  tests?: TestOutcome;
}

/**
 * A tool as its `tool.ts` declares it; the MCP adapter, the CLI and the delegate's agent loop
 * all run tools through this value. Schemas and the capability load on first use: neither
 * initialize nor tools/list (baked in at build time) needs them, and building them is a
 * noticeable share of start-up (see bench/startup.mjs).
 */
export interface ToolSpec<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  schemas(): Promise<ToolSchemas<In, Out>>;
  run(input: z.output<In>, context: ToolContext): Promise<z.output<Out>>;
  /** The readable text beside the structured content. */
  render(output: z.output<Out>): string;
  /**
   * Whether this call may be run again with a smaller `maxTokens` when its result is over budget
   * in either channel (no side effect a second run would repeat). Tools that cannot be re-run fit
   * both channels themselves.
   */
  refit?(input: z.output<In>): boolean;
  /** Whether calls go to the session log (the session tool records its own checkpoints instead). */
  logged: boolean;
  /** What the session log keeps of a successful call beyond its digest. */
  facts?(output: z.output<Out>): SessionFacts;
}

/** Keeps a spec's input and output types tied together where it is declared. */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(spec: ToolSpec<In, Out>): ToolSpec<In, Out> {
  return spec;
}
