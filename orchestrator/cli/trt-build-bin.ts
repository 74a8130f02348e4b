/** The process entry of `trt-build` (bin/trt-build.js loads the compiled copy of this file). */
import { main } from './trt-build.js';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
