import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { applyPatch } from '../tools/apply-patch/patch.js';
import { renderApply } from '../tools/apply-patch/render.js';
import { ApplyPatchInput } from '../tools/apply-patch/schema.js';
import { configFlags, intFlag, openWorkspace, parseCommand, UsageError } from './common.js';

export const APPLY_HELP = `Usage: baton-mcp apply [file|-] [options]

Applies a unified diff or a Codex "*** Begin Patch" patch from a file or stdin (-, the default).

Options:
  --dry-run          check every hunk and print the diff, write nothing
  --undo ID          restore the files of an earlier apply's checkpoint
  --format F         auto (default), unified or codex
  --max-tokens N     output budget for the printed diff (default 4000)
  --json             print the structured result as JSON
  --root DIR, --state-dir DIR, --config FILE
`;

/** `baton-mcp apply`: the apply-patch capability for people. Exit 1 when the patch did not apply. */
export async function applyCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'dry-run': { type: 'boolean' },
    undo: { type: 'string' },
    format: { type: 'string' },
    'max-tokens': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(APPLY_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const source = positionals[0] ?? '-';
  const patch = values.undo === undefined ? await readPatch(source) : undefined;
  const parsed = ApplyPatchInput.safeParse({
    patch,
    undo: values.undo,
    dryRun: values['dry-run'] ?? false,
    format: values.format ?? 'auto',
    maxTokens: intFlag('max-tokens', values['max-tokens']),
  });
  if (!parsed.success) throw new UsageError(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { services } = await openWorkspace(configFlags(values));
  const result = await applyPatch(parsed.data, services);
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : renderApply(result)) + '\n');
  return result.applied ? 0 : 1;
}

async function readPatch(source: string): Promise<string> {
  if (source !== '-') {
    return readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`cannot read patch file ${source} (${error.code ?? error.message})`);
    });
  }
  if (process.stdin.isTTY) throw new UsageError('no patch given: pass a file, or pipe the patch to stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
