/**
 * The real service for the browser test, on the shared helper (test/support/service-processes.ts)
 * that the services and deploy-script tests use too: a temp dir per service and its environment.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, serviceEnv as sharedServiceEnv, startEntry as sharedStartEntry } from '../support/service-processes.js';
import type { ServiceProcess } from '../support/service-processes.js';

export { ROOT };
export type Started = ServiceProcess;

/** A temp dir for one service (store, work, cache, fake docker state) plus its env. */
export function serviceEnv(
  redisUrl: string,
  prefix: string,
  hubUrl: string,
): { dir: string; env: (extra?: Record<string, string>) => NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'trt-ui-'));
  return {
    dir,
    env: (extra = {}) =>
      sharedServiceEnv(
        { redisUrl, prefix, dir, hubUrl },
        {
          // The fake hub listens on loopback, which the outbound policy refuses unless allowed.
          OUTBOUND_ALLOW: '127.0.0.1',
          SECRET_NAMES: 'hf_access_token',
          hf_access_token: 'hf_fake_token_for_browser_test',
          ...extra,
        },
      ),
  };
}

/** Spawns an entry point; resolves once `ready` matches its output, rejects if it exits first. */
export function startEntry(
  entry: 'trt-api' | 'trt-worker',
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  procs: ChildProcess[],
): Promise<Started> {
  return sharedStartEntry(entry, env, ready, procs);
}
