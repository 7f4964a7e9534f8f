import { UserError } from '../../core/errors.js';
import { shellWords, Unsupported } from '../../core/test-script.js';

const NO_SHELL = 'Baton runs commands without a shell: give one program and its arguments';

/**
 * Splits a command string into argv the way a shell quotes words ('…', "…", backslash), with
 * the same reader as test scripts (core/test-script.ts): no variables, globs, pipes or `&&`;
 * those are refused, not ignored.
 */
export function splitArgv(command: string): string[] {
  let tokens: ReturnType<typeof shellWords>;
  try {
    tokens = shellWords(command);
  } catch (error) {
    if (error instanceof Unsupported) throw new UserError(`command: ${error.message}`, NO_SHELL);
    throw error;
  }
  const words: string[] = [];
  for (const token of tokens) {
    if ('op' in token) throw new UserError(`command contains "${token.op}", which needs a shell`, NO_SHELL);
    words.push(token.word);
  }
  return words;
}
