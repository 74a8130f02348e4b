#!/usr/bin/env node
// Entry point installed as `trt-plan`. `npm run build` (run on `npm ci` via `prepare`) compiles
// orchestrator/ to dist/ and bundles the CLI into one file, which keeps start-up fast.
import { main } from '../dist/trt-plan.bundle.mjs';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
