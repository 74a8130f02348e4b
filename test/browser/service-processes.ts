/**
 * The real service for the browser test: `trt-api` and `trt-worker` as child processes (docker
 * executor on the fake `docker`, HF fetch from the fake hub, publish to a `file://` store), each
 * started from source with tsx exactly as the services integration test does.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '../..');
const FAKE_BIN = join(ROOT, 'test/fixtures/bin');

export interface Started {
  readonly proc: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

/** A temp dir for one service (store, work, cache, fake docker state) plus its env. */
export function serviceEnv(
  redisUrl: string,
  prefix: string,
  hubUrl: string,
): { dir: string; env: (extra?: Record<string, string>) => NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'trt-ui-'));
  return {
    dir,
    env: (extra = {}) => ({
      PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
      HOME: process.env['HOME'] ?? '/tmp',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      ARTIFACT_STORE_URL: pathToFileURL(join(dir, 'store')).href,
      WORK_DIR: join(dir, 'work'),
      CACHE_DIR: join(dir, 'cache'),
      HF_ENDPOINT: hubUrl,
      // The fake hub listens on loopback, which the outbound policy refuses unless allowed.
      OUTBOUND_ALLOW: '127.0.0.1',
      SECRET_NAMES: 'hf_access_token',
      hf_access_token: 'hf_fake_token_for_browser_test',
      FAKE_DOCKER_STATE: join(dir, 'docker'),
      STEP_ENV_PASSTHROUGH: 'FAKE_DOCKER_*',
      LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    }),
  };
}

/** Spawns an entry point; resolves once `ready` matches its output, rejects if it exits first. */
export function startEntry(
  entry: 'trt-api' | 'trt-worker',
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  procs: ChildProcess[],
): Promise<Started> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'orchestrator/main', `${entry}.ts`)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(proc);
  let out = '';
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const started: Started = { proc, output: () => out, exit };
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (ready.test(out)) resolve(started);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exit.then((code) => reject(new Error(`${entry} exited (${code}) before it was ready: ${out.slice(-2000)}`)));
  });
}
