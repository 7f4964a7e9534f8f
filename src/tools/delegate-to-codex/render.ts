import type { DelegateOutput } from './schema.js';

export function renderDelegate(output: DelegateOutput): string {
  const u = output.usage;
  const out = [
    `${output.status.toUpperCase()}${output.cached ? ' (cached)' : ''}: ${output.backend}, ${output.model}, effort ${output.effort}, ${output.turns} turns, ${output.compactions} compactions, tokens in ${u.inputTokens} (cached ${u.cachedInputTokens}) out ${u.outputTokens}`,
    `sessionId: ${output.sessionId}${output.jobId ? `  jobId: ${output.jobId}` : ''}`,
  ];
  for (const note of output.notes ?? []) out.push(`note: ${note}`);
  if (output.finalMessage) out.push('', output.finalMessage);
  if (output.commands.length) out.push('', 'commands:', ...output.commands.map((c) => `  ${c.command} (exit ${c.exitCode ?? '-'})`));
  if (output.filesChanged.length) out.push('', 'files changed:', ...output.filesChanged.map((f) => `  ${f.kind} ${f.path}`));
  if (output.diff) out.push('', 'diff:', output.diff);
  return out.join('\n');
}
