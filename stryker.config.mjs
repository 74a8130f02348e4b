// Mutation testing of the pure core against the unit tests. `npm run mutation` (test/mutation/run.ts)
// runs this config once per file or group, each against its own unit tests (MUTATION_TESTS narrows
// the tests; not --testFiles, see vitest.mutation.config.mjs), and prints one score table: a single
// run over the whole suite takes hours, because each static mutant (a module-level table) runs every
// test. Results are incremental per group (reports/mutation/<group>.incremental.json, git-ignored);
// survivors that cannot be killed carry `// Stryker disable next-line <mutator>: <reason>` where they are.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mjs', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'orchestrator/config/**/*.ts',
    'orchestrator/gpu/**/*.ts',
    'orchestrator/toolchain/**/*.ts',
    'orchestrator/plan/**/*.ts',
    'orchestrator/build/**/*.ts',
    'orchestrator/exec/classify-failure.ts',
  ],
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  tempDirName: '.tmp/stryker',
  ignorePatterns: ['dist', 'coverage', 'reports', '.tmp', 'bench', '*.log'],
  reporters: ['clear-text', 'progress', 'json'],
  clearTextReporter: { reportTests: false, reportMutants: true, logTests: false, allowColor: false },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  timeoutMS: 10_000,
};
