import type { DelegateOutput } from './schema.js';

export function renderDelegate(output: DelegateOutput): string {
  const u = output.usage;
  // The first line is what the session log keeps of the call: a review's count of findings belongs there.
  const found = output.findings ? `, review: ${findingCount(output.findings)}` : '';
  const out = [
    `${output.status.toUpperCase()}${output.cached ? ' (cached)' : ''}: ${output.backend}, ${output.model}, effort ${output.effort}${found}, ${output.turns} turns, ${output.compactions} compactions, tokens in ${u.inputTokens} (cached ${u.cachedInputTokens}) out ${u.outputTokens}`,
    `sessionId: ${output.sessionId}${output.jobId ? `  jobId: ${output.jobId}` : ''}`,
  ];
  for (const note of output.notes ?? []) out.push(`note: ${note}`);
  if (output.findings?.length) {
    out.push('', 'findings:');
    for (const finding of output.findings) {
      out.push(`  [${finding.severity}] ${finding.path}${finding.line ? `:${finding.line}` : ''}: ${finding.title}`);
      if (finding.body) out.push(...finding.body.split('\n').map((line) => `    ${line}`));
    }
  }
  if (output.finalMessage) out.push('', output.finalMessage);
  if (output.commands.length) out.push('', 'commands:', ...output.commands.map((c) => `  ${c.command} (exit ${c.exitCode ?? '-'})`));
  if (output.filesChanged.length) out.push('', 'files changed:', ...output.filesChanged.map((f) => `  ${f.kind} ${f.path}`));
  if (output.diff) out.push('', 'diff:', output.diff);
  return out.join('\n');
}

function findingCount(findings: NonNullable<DelegateOutput['findings']>): string {
  if (!findings.length) return 'no findings';
  const bySeverity = (['high', 'medium', 'low'] as const)
    .map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'} (${bySeverity.map(([severity, n]) => `${n} ${severity}`).join(', ')})`;
}
