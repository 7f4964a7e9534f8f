import { UserError } from '../../core/errors.js';

/**
 * Splits a command string into argv the way a shell would quote it ('…', "…", backslash),
 * without being a shell: no variables, globs, pipes or `&&`; those are refused, not ignored.
 */
export function splitArgv(command: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (char === '\\' && i + 1 < command.length) {
      current += command[++i];
      started = true;
    } else if (/\s/.test(char)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      if (/[|&;<>`$]/.test(char)) {
        throw new UserError(`command contains "${char}", which needs a shell`, 'Baton runs commands without a shell: give one program and its arguments');
      }
      current += char;
      started = true;
    }
  }
  if (quote) throw new UserError(`command has an unclosed ${quote} quote`);
  if (started) args.push(current);
  return args;
}
