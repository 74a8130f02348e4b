#!/usr/bin/env node
// Entry point installed as `trt-plan`; the compiled CLI lives in dist/ (built by `npm run build` on prepare).
import { main } from '../dist/cli/trt-plan.js';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
