/**
 * The real service as child processes, for the tests that run it whole (services, deploy script,
 * browser dashboard): `trt-api` and `trt-worker` started from source with tsx, the docker executor
 * on the fake `docker`, checkpoints from the fake hub, publish to a `file://` store. One place for
 * the environment both entry points share, the worker's settings, and spawn-until-ready.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '../..');
/** The fake `docker` (and other fake binaries) put first on the services' PATH. */
export const FAKE_BIN = join(ROOT, 'test/fixtures/bin');
/** trt-api's line once it listens; group 1 is its base URL. */
export const API_READY = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;
/** trt-worker's line once it takes jobs. */
export const WORKER_READY = /worker started/;

/** A spawned process: its output so far (stdout and stderr together) and its exit code. */
export interface ServiceProcess {
  readonly proc: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

export interface ServiceSetup {
  readonly redisUrl: string;
  /** Redis key prefix of this test's queues. */
  readonly prefix: string;
  /** The test's temp dir: store, work, cache and fake docker state live under it. */
  readonly dir: string;
  /** The fake hub (HF_ENDPOINT). */
  readonly hubUrl: string;
}

/** The environment both entry points get, plus `extra` (which wins). */
export function serviceEnv(s: ServiceSetup, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    HOME: process.env['HOME'] ?? '/tmp',
    REDIS_URL: s.redisUrl,
    REDIS_PREFIX: s.prefix,
    ARTIFACT_STORE_URL: pathToFileURL(join(s.dir, 'store')).href,
    WORK_DIR: join(s.dir, 'work'),
    CACHE_DIR: join(s.dir, 'cache'),
    HF_ENDPOINT: s.hubUrl,
    FAKE_DOCKER_STATE: join(s.dir, 'docker'),
    // The fake docker's knobs reach it only because the operator lets them through.
    STEP_ENV_PASSTHROUGH: 'FAKE_DOCKER_*',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** trt-api's settings for a test: the token, loopback, any free port. */
export const apiSettings = (token: string): Record<string, string> => ({
  API_TOKENS: token,
  HOST: '127.0.0.1',
  PORT: '0',
});

/** trt-worker's settings for a test: one fake L4 on the docker executor, short timers. */
export const workerSettings = (shutdownGraceMs = 300): Record<string, string> => ({
  EXECUTOR: 'docker',
  GPU_TYPE: 'L4',
  GPU_IDS: '0',
  SHUTDOWN_GRACE_MS: String(shutdownGraceMs),
  LOCK_DURATION_MS: '5000',
  STALLED_INTERVAL_MS: '2000',
});

/**
 * Spawns `cmd` (added to `procs`, for the caller's afterAll to kill). With `ready`, resolves once
 * its output matches and rejects if it exits first; with null, resolves at once (await `exit`).
 */
export function spawnProcess(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp | null,
  procs: ChildProcess[],
  cwd = ROOT,
): Promise<ServiceProcess> {
  const proc = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const p: ServiceProcess = { proc, output: () => out, exit };
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (ready?.test(out) === true) resolve(p);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    if (ready === null) resolve(p);
    else
      void exit.then((code) =>
        reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was ready: ${out.slice(-2000)}`)),
      );
  });
}

/** Starts an entry point from source (`orchestrator/main/<entry>.ts` through tsx); see `spawnProcess`. */
export function startEntry(
  entry: 'trt-api' | 'trt-worker',
  env: NodeJS.ProcessEnv,
  ready: RegExp | null,
  procs: ChildProcess[],
): Promise<ServiceProcess> {
  return spawnProcess(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'orchestrator/main', `${entry}.ts`)],
    env,
    ready,
    procs,
  );
}

/** Starts trt-api and resolves with it and its base URL once it listens. */
export async function startApi(
  env: NodeJS.ProcessEnv,
  procs: ChildProcess[],
): Promise<{ api: ServiceProcess; url: string }> {
  const api = await startEntry('trt-api', env, API_READY, procs);
  const url = API_READY.exec(api.output())?.[1];
  if (url === undefined) throw new Error(`trt-api did not report its URL: ${api.output().slice(-2000)}`);
  return { api, url };
}

/** SIGKILLs every process in `procs` still running (afterAll). */
export function killAll(procs: readonly ChildProcess[]): void {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
