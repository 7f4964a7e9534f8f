import type { RunnerId } from '../../../core/project.js';
import { cargo } from './cargo.js';
import { go } from './go.js';
import { pytest } from './pytest.js';
import { jest, mocha, node, npmScript, vitest } from './js.js';
import type { Runner } from './runner.js';

export const RUNNERS: Record<RunnerId, Runner> = {
  vitest,
  jest,
  mocha,
  node,
  'npm-script': npmScript,
  pytest,
  go,
  cargo,
};
