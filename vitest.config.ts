import { defineConfig } from 'vitest/config';

// CI (`.ci/run`) sets VITEST_JSON_REPORT to a file path to get a machine-readable summary as well.
const jsonReport = process.env['VITEST_JSON_REPORT'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one Redis and spawn child processes; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: jsonReport } } : {}),
  },
});
