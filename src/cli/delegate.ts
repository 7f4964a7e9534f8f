import { delegate } from '../tools/delegate-to-codex/delegate.js';
import { renderDelegate } from '../tools/delegate-to-codex/render.js';
import { DelegateInput } from '../tools/delegate-to-codex/schema.js';
import { configFlags, intFlag, openWorkspace, parseCommand, UsageError } from './common.js';

export const DELEGATE_HELP = `Usage: baton-mcp delegate "<task>" [options]

Hands the task to a Codex model (Responses API, Baton runs the agent loop) or the Codex CLI.

Options:
  --backend B          auto (default: the Codex CLI when installed, else the Responses API), responses, codex-cli
  --model M            auto (default) or a model from the configuration
  --effort E           minimal, low, medium (default), high, xhigh
  --write              let it change files (sandbox workspace-write; default read-only)
  --session ID         continue an earlier delegation
  --max-turns N        (default 40)
  --budget N           token budget for the whole delegation
  --json               print the structured result as JSON
  --root DIR, --state-dir DIR, --config FILE
`;

/** `baton-mcp delegate`: the delegate-to-codex capability for people. */
export async function delegateCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    backend: { type: 'string' },
    model: { type: 'string' },
    effort: { type: 'string' },
    write: { type: 'boolean' },
    session: { type: 'string' },
    'max-turns': { type: 'string' },
    budget: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(DELEGATE_HELP);
    return 0;
  }
  const parsed = DelegateInput.safeParse({
    task: positionals.join(' '),
    backend: values.backend ?? 'auto',
    model: values.model ?? 'auto',
    effort: values.effort ?? 'medium',
    sandbox: values.write ? 'workspace-write' : 'read-only',
    sessionId: values.session,
    maxTurns: intFlag('max-turns', values['max-turns']) ?? 40,
    budgetTokens: intFlag('budget', values.budget),
    waitSec: 3600,
  });
  if (!parsed.success) throw new UsageError(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { config, services } = await openWorkspace(configFlags(values));
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await delegate(parsed.data, { ...services, config, signal: controller.signal, progress: (m) => process.stderr.write(`… ${m}\n`) });
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : renderDelegate(result)) + '\n');
  return result.status === 'completed' ? 0 : 1;
}
