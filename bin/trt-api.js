#!/usr/bin/env node
// Entry point installed as `trt-api`: the compiled service in dist/main/ (see README, "Build service").
await import('../dist/main/trt-api.js');
