import type { SessionOutput } from './schema.js';

export function renderSession(output: SessionOutput): string {
  if (output.sessions) {
    if (!output.sessions.length) return 'no sessions yet';
    return output.sessions.map((s) => `${s.id}  ${s.events} events, last ${s.updatedAt}${s.goal ? `  goal: ${s.goal}` : ''}`).join('\n');
  }
  if (output.brief !== undefined) return output.brief;
  return `checkpoint recorded in ${output.sessionId} (${output.events} events; brief ${output.briefTokens} tokens${output.compactionRecommended ? '; compaction recommended: call session with action "compact"' : ''})`;
}
