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

  it('leaves a result within budget alone', async () => {
    const runs = { count: 0 };
    const result = await runTool(tool(runs, false), { size: 10, maxTokens: 4000 }, context);
    expect(runs.count).toBe(1);
    expect(String(result.output.diff).split('\n')).toHaveLength(10);
  });
});
