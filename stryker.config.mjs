// Mutation testing of the pure core against the unit tests: `npm run mutation` (minutes; not part
// of `npm test`). While others share the machine, run it narrow:
//   MUTATION_TESTS='test/unit/config/**/*.test.ts' npm run mutation -- --concurrency 1 --mutate orchestrator/config/rules/lora.ts
// (MUTATION_TESTS narrows the tests; not --testFiles, see vitest.mutation.config.mjs.)
// Results are incremental (reports/mutation/incremental.json, git-ignored): unchanged mutants and
// tests are not re-run. The per-file score table is printed at the end and written to
// reports/mutation/mutation.json; survivors that cannot be killed carry
// `// Stryker disable next-line <mutator>: <reason>` where they are.
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
  ignorePatterns: ['dist', 'coverage', 'reports', '.tmp', 'bench', 'builder-image', '*.log'],
  reporters: ['clear-text', 'progress', 'json'],
  clearTextReporter: { reportTests: false, reportMutants: true, logTests: false, allowColor: false },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  timeoutMS: 10_000,
};
