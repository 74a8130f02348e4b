#!/usr/bin/env node
// Entry point installed as `trt-build`: the client CLI of the trt-api service, compiled to dist/
// by `npm run build` (see README, "Client: trt-build").
await import('../dist/cli/trt-build-bin.js');
