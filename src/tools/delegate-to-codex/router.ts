import { EFFORTS, type Config, type Effort } from '../../config.js';
import { UserError } from '../../core/errors.js';

/**
 * Model routing for `model: "auto"`: the small model for narrow tasks (a question, a change
 * in one place), the long-horizon model for broad ones (several files, refactors, "until the
 * tests pass"). Names, windows and efforts all come from configuration.
 */
const BROAD = /\b(refactor|migrat|rewrite|port|across|every|all (the )?files|throughout|until (the )?tests? pass|end[- ]to[- ]end|implement|feature|redesign)/i;
const PATH_LIKE = /[\w.-]+\/[\w./-]+|\b[\w-]+\.(ts|tsx|js|py|go|rs|java|c|cc|cpp|h|cs|rb|php|md|json)\b/g;

export function isBroadTask(task: string): boolean {
  const paths = new Set(task.match(PATH_LIKE) ?? []);
  return task.length > 600 || paths.size >= 2 || BROAD.test(task);
}

export interface Route {
  model: string;
  effort: Effort;
  contextWindow: number;
  notes: string[];
}

export function route(task: string, model: string, effort: Effort, config: Config): Route {
  const chosen = model === 'auto' ? (isBroadTask(task) ? config.delegate.largeModel : config.delegate.smallModel) : model;
  const known = config.delegate.models[chosen];
  if (!known) {
    throw new UserError(
      `unknown model "${chosen}"`,
      `Use one of ${Object.keys(config.delegate.models).join(', ')}, or add it under delegate.models in the Baton config with its contextWindow and efforts`,
    );
  }
  const clamped = clampEffort(effort, known.efforts);
  const notes = clamped === effort ? [] : [`effort "${effort}" is not supported by ${chosen}; used "${clamped}"`];
  if (model === 'auto') notes.push(`model auto: ${chosen} (${isBroadTask(task) ? 'broad' : 'narrow'} task)`);
  return { model: chosen, effort: clamped, contextWindow: known.contextWindow, notes };
}

/** The supported effort nearest to the one asked for (ties go to the higher one). */
export function clampEffort(effort: Effort, supported: readonly Effort[]): Effort {
  if (supported.includes(effort)) return effort;
  const wanted = EFFORTS.indexOf(effort);
  return [...supported].sort(
    (a, b) => Math.abs(EFFORTS.indexOf(a) - wanted) - Math.abs(EFFORTS.indexOf(b) - wanted) || EFFORTS.indexOf(b) - EFFORTS.indexOf(a),
  )[0]!;
}
