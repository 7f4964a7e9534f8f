import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolContext } from '../../src/core/context.js';
import { Logger } from '../../src/log.js';
import { runTool } from '../../src/tools/run.js';
import { defineTool } from '../../src/tools/spec.js';

const Input = z.object({ maxTokens: z.number().optional(), size: z.number() });
const Output = z.object({ status: z.string(), diff: z.string(), notes: z.array(z.string()) });
const context = { log: new Logger('emergency') } as unknown as ToolContext;
const both = (output: unknown, text: string) => Math.max(countTokens(JSON.stringify(output)), countTokens(text));

/** A tool whose result ignores maxTokens, as a run that cannot be repeated may: the pipeline fits it. */
function tool(runs: { count: number }, refit: boolean) {
  return defineTool<typeof Input, typeof Output>({
    name: 'fake',
    title: 'Fake',
    description: 'fake',
    annotations: {},
    schemas: async () => ({ input: Input, output: Output }),
    run: async (input) => {
      runs.count++;
      const budget = input.maxTokens ?? 4000;
      const lines = Math.min(input.size, refit ? Math.floor(budget / 3) : input.size);
      return { status: 'done', diff: Array.from({ length: lines }, (_, i) => `+line "${i}" \\ of the diff`).join('\n'), notes: ['kept'] };
    },
    render: (output) => `status ${output.status}\n${output.diff}\n${output.notes.join('\n')}`,
    logged: false,
    ...(refit ? { refit: () => true } : {}),
  });
}

describe('runTool keeps both channels within maxTokens', () => {
  it('cuts the longest strings of a result that cannot be fetched again, and marks the cut', async () => {
    const runs = { count: 0 };
    const { output, text } = await runTool(tool(runs, false), { size: 3000, maxTokens: 500 }, context);
    expect(runs.count).toBe(1); // never run twice
    expect(both(output, text)).toBeLessThanOrEqual(500);
    expect(output.diff).toMatch(/…\[cut to fit maxTokens\]$/);
    expect(output.notes).toEqual(['kept']);
    expect(Output.safeParse(output).success).toBe(true);
  });

  it('fetches a read-only result again with a smaller budget when it is over', async () => {
    const runs = { count: 0 };
    const { output, text } = await runTool(tool(runs, true), { size: 3000, maxTokens: 900 }, context);
    expect(runs.count).toBeGreaterThan(1);
    expect(both(output, text)).toBeLessThanOrEqual(900);
    expect(output.diff).not.toMatch(/cut to fit/);
  });

  it('fetches again a result whose text is well within budget but whose JSON is not', async () => {
    // As repo-scan symbols of a few files: the page stops at the end of the list, not at the
    // budget, so asking for a little less than before changes nothing; the text must shrink.
    const Verbose = z.object({ items: z.array(z.object({ name: z.string(), kind: z.string(), line: z.number(), endLine: z.number() })) });
    const runs = { count: 0 };
    const verbose = defineTool<typeof Input, typeof Verbose>({
      name: 'verbose',
      title: 'Verbose',
      description: 'verbose',
      annotations: {},
      schemas: async () => ({ input: Input, output: Verbose }),
      run: async (input) => {
        runs.count++;
        const fits = Math.floor((input.maxTokens ?? 4000) / 2); // about 2 text tokens an item
        const items = Array.from({ length: Math.min(input.size, fits) }, (_, i) => ({ name: `n${i}`, kind: 'function', line: i + 1, endLine: i + 2 }));
        return { items };
      },
      render: (output) => output.items.map((item) => item.name).join('\n'),
      logged: false,
      refit: () => true,
    });
    const { output, text } = await runTool(verbose, { size: 70, maxTokens: 1000 }, context);
    expect(countTokens(text)).toBeLessThan(500);
    expect(both(output, text)).toBeLessThanOrEqual(1000);
    expect((output.items as unknown[]).length).toBeGreaterThan(20);
    expect(runs.count).toBeGreaterThan(1);
  });

  it('leaves a result within budget alone', async () => {
    const runs = { count: 0 };
    const result = await runTool(tool(runs, false), { size: 10, maxTokens: 4000 }, context);
    expect(runs.count).toBe(1);
    expect(String(result.output.diff).split('\n')).toHaveLength(10);
  });
});
