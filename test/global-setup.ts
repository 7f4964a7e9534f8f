import { execFileSync } from 'node:child_process';

/** Builds dist/ once so e2e tests spawn exactly what users run. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
