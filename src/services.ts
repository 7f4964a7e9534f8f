import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { WorkspaceServices } from './core/context.js';
import { JobManager } from './core/jobs.js';
import { WorkspaceState } from './core/state.js';
import { Workspace } from './core/workspace.js';

/**
 * One set of services per root, process wide: two HTTP sessions on the same root share
 * job records and file locks, and a root that comes back (roots changed and changed back)
 * finds its running jobs again.
 */
const byRoot = new Map<string, Promise<WorkspaceServices>>();

export function servicesFor(root: string, stateDir: string): Promise<WorkspaceServices> {
  const key = `${stateDir}\0${canonical(root)}`;
  let services = byRoot.get(key);
  if (!services) {
    services = open(root, stateDir);
    byRoot.set(key, services);
    services.catch(() => byRoot.delete(key));
  }
  return services;
}

function canonical(root: string): string {
  try {
    return realpathSync(resolve(root));
  } catch {
    return resolve(root); // Workspace.open reports the missing root
  }
}

async function open(root: string, stateDir: string): Promise<WorkspaceServices> {
  const workspace = await Workspace.open(root);
  const state = await WorkspaceState.open(stateDir, workspace.root);
  // A patch a crashed process left half applied is rolled back before any tool runs here. The
  // journal folder exists only while (or after) a set is written: no import on a clean start.
  if (existsSync(state.path('apply-journal'))) {
    const { recoverUnfinishedApplies } = await import('./tools/apply-patch/journal.js');
    await recoverUnfinishedApplies(state, workspace, { warn: (message) => process.stderr.write(`[baton] warning: ${message}\n`) });
  }
  const jobs = new JobManager(state.path('jobs'));
  jobManagers.add(jobs);
  return { workspace, state, jobs };
}

/** Every job manager opened so far, so shutdown can cancel (or wait for) running work. */
const jobManagers = new Set<JobManager>();

export function openJobManagers(): JobManager[] {
  return [...jobManagers];
}
