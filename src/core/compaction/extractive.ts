import { fitHead } from '../budget.js';
import type { Summarizer } from './summarizer.js';

/**
 * The deterministic summary, when no model is configured: what kinds of work happened, the
 * errors met, and the notes left along the way, cut to the budget. Works from the rendered
 * event lines ("HH:MM tool args → result"), so it summarises any event list the same way.
 */
export const extractiveSummarizer: Summarizer = {
  kind: 'extractive',
  async summarize({ previous, events, budget }) {
    const tools = new Map<string, number>();
    const errors = new Map<string, number>();
    const notes: string[] = [];
    // Plain string scanning: this runs over every folded event, up to hundreds of thousands.
    for (const line of events) {
      const toolStart = line.indexOf(' ') + 1;
      const toolEnd = line.indexOf(' ', toolStart);
      const tool = line.slice(toolStart, toolEnd === -1 ? undefined : toolEnd);
      if (tool === 'checkpoint:') {
        notes.push(line.slice(toolEnd + 1));
        continue;
      }
      const failed = line.indexOf(' ✗ ');
      if (failed === -1 && line.indexOf(' → ') === -1) continue;
      tools.set(tool, (tools.get(tool) ?? 0) + 1);
      if (failed !== -1) {
        const error = line.slice(failed + 3);
        errors.set(error, (errors.get(error) ?? 0) + 1);
      }
    }
    const out: string[] = [];
    if (previous) out.push((await fitHead(previous, Math.floor(budget / 2))).text, '');
    out.push(`${events.length} earlier events: ${[...tools].map(([tool, n]) => `${tool} ×${n}`).join(', ') || 'no tool calls'}.`);
    if (errors.size) {
      out.push('Errors met:');
      for (const [error, n] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 8)) out.push(`- ${error}${n > 1 ? ` (×${n})` : ''}`);
    }
    if (notes.length) out.push('Checkpoints along the way:', ...notes.slice(-12).map((note) => `- ${note}`));
    return (await fitHead(out.join('\n'), budget)).text;
  },
};
