import { fitHead } from '../core/budget.js';
import type { Summarizer } from './types.js';

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
    for (const line of events) {
      const call = /^\S+ (\S+) .*?(→|✗) (.*)$/.exec(line);
      if (call) {
        tools.set(call[1]!, (tools.get(call[1]!) ?? 0) + 1);
        if (call[2] === '✗') errors.set(call[3]!, (errors.get(call[3]!) ?? 0) + 1);
      }
      const note = /^\S+ checkpoint: (.*)$/.exec(line);
      if (note) notes.push(note[1]!);
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
