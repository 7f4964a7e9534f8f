import { parseTextSummary } from '../parse/text.js';
import type { ParsedReport } from '../types.js';
import type { ReportSource, RunnerOutcome } from './runner.js';

const EMPTY: ParsedReport = { cases: [], summary: { total: 0, passed: 0, failed: 0, skipped: 0 }, errors: [] };

/**
 * The machine-readable report when there is one and it parses; otherwise the runner's text
 * output, with a note saying why (the runner crashed before writing it, or wrote nonsense).
 */
export function fromReport(
  report: string | undefined,
  output: string,
  source: Exclude<ReportSource, 'text'> | 'text',
  parse: (report: string) => ParsedReport | undefined,
): RunnerOutcome {
  let note: string | undefined;
  if (source !== 'text') {
    if (report === undefined) note = `no ${source} report was written; results read from the output`;
    else {
      try {
        const parsed = parse(report);
        if (parsed) return { ...parsed, source };
        note = `the ${source} report was empty; results read from the output`;
      } catch (error) {
        note = `the ${source} report could not be read (${(error as Error).message}); results read from the output`;
      }
    }
  }
  const text = parseTextSummary(output);
  return { ...(text ?? EMPTY), source: 'text', ...(note ? { note } : {}) };
}
