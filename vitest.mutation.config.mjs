// The vitest config Stryker runs (`npm run mutation`): the unit tests only, one worker per Stryker
// runner. MUTATION_TESTS (comma-separated globs) narrows the tests for a narrow run; use it instead
// of Stryker's --testFiles, which in 9.6.1 activates static mutants too late (stryker-js#6144) and
// reports them as survivors.
import process from 'node:process';
import { defineConfig } from 'vitest/config';

const narrowed = process.env['MUTATION_TESTS'];

export default defineConfig({
  test: {
    include: narrowed
      ? narrowed
          .split(',')
          .map((glob) => glob.trim())
          .filter(Boolean)
      : ['test/unit/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
