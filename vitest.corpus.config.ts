import { defineConfig } from 'vitest/config';

/** `npm run test:corpus`: run-tests against real projects from the registry (see test/corpus/). */
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.corpus.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
