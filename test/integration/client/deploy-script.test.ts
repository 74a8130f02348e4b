/**
 * `trt-build` against a real service: `trt-api` and `trt-worker` as child processes (docker
 * executor on the fake docker, checkpoints from the fake hub, a `file://` store). A three-line
 * deploy script (`submit --wait`, then `fetch`) exits with the build: 0 succeeded (files fetched
 * and checked against the manifest), 1 failed (reason and advice printed) or invalid config
 * (diagnostics as trt-plan prints them), 3 cancelled. The token never appears in any output.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as planMain } from '../../../orchestrator/cli/trt-plan.js';
import { SIGNATURE_HEADER, verifySignature } from '../../../orchestrator/webhooks/signature.js';
import { startFakeHub } from '../../fixtures/servers/fake-hub.js';
import { smallHfCheckpoint } from '../../fixtures/servers/small-hf-checkpoint.js';
import type { FakeHub } from '../../fixtures/servers/fake-hub.js';
import {
  ROOT,
  WORKER_READY,
  apiSettings,
  killAll,
  serviceEnv as sharedServiceEnv,
  startApi,
  startEntry,
  workerSettings,
} from '../../support/service-processes.js';
import type { ServiceProcess } from '../../support/service-processes.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix, waitFor } from '../queue/fixtures.js';

const TOKEN = 'client-token-0123456789abcdef';
const prefix = uniquePrefix('cli');
const dir = mkdtempSync(join(tmpdir(), 'trt-client-'));
const L4_YAML = readFileSync(join(ROOT, 'recipes/qwen2.5-7b-noquant-l4.yaml'), 'utf8');
const variant = (n: number): string => L4_YAML.replace('max_batch_size: 32', `max_batch_size: ${n}`);
const DEPLOY = 'set -e\nid=$(trt-build submit --wait "$1")\ntrt-build fetch "$id" "$2"\n';
const WEBHOOK_SECRET = 'whsec-client-test-0123456789';
const hooks: { type: string; buildId: string; signed: boolean }[] = [];
let receiver: Server;
let receiverUrl = '';
let hub: FakeHub;
let redis: Redis;
let apiUrl = '';
const procs: ChildProcess[] = [];

function serviceEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return sharedServiceEnv(
    { redisUrl: REDIS_URL, prefix, dir, hubUrl: hub.url },
    {
      // Webhooks wired in both entry points: the receiver below gets every status change.
      WEBHOOK_URLS: `${receiverUrl}/hook`,
      WEBHOOK_SECRET: WEBHOOK_SECRET,
      WEBHOOK_BACKOFF_MS: '50',
      OUTBOUND_ALLOW: '127.0.0.1',
      ...extra,
    },
  );
}

const startWorker = (extra: Record<string, string> = {}): Promise<ServiceProcess> =>
  startEntry('trt-worker', serviceEnv({ ...workerSettings(200), ...extra }), WORKER_READY, procs);
async function stop(p: ServiceProcess): Promise<void> {
  p.proc.kill('SIGTERM');
  await p.exit;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
/** Runs a shell command with `trt-build` on PATH (the CLI through tsx, as the installed bin runs its compiled copy). */
function sh(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): { done: Promise<Run>; proc: ChildProcess } {
  const proc = spawn('/bin/sh', ['-c', script, 'deploy', ...args], {
    cwd: dir,
    env: {
      PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
      HOME: process.env['HOME'] ?? '/tmp',
      TRT_API_URL: apiUrl,
      TRT_API_TOKEN: TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return { proc, done: new Promise((r) => proc.once('close', (code) => r({ code, stdout, stderr }))) };
}

const api = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const ev = JSON.parse(body) as { type: string; data: { build: { id: string } } };
      hooks.push({
        type: ev.type,
        buildId: ev.data.build.id,
        signed: verifySignature(
          req.headers[SIGNATURE_HEADER] as string | undefined,
          body,
          WEBHOOK_SECRET,
          Math.floor(Date.now() / 1000),
        ).ok,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  hub = await startFakeHub([{ id: 'Qwen/Qwen2.5-7B-Instruct', files: smallHfCheckpoint('Qwen2ForCausalLM') }]);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  apiUrl = (await startApi(serviceEnv(apiSettings(TOKEN)), procs)).url;
  mkdirSync(join(dir, 'bin'));
  const tsx = import.meta.resolve('tsx');
  writeFileSync(
    join(dir, 'bin', 'trt-build'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${join(ROOT, 'orchestrator/cli/trt-build-bin.ts')}" "$@"\n`,
  );
  chmodSync(join(dir, 'bin', 'trt-build'), 0o755);
  for (const n of [20, 24, 28]) writeFileSync(join(dir, `config-${n}.yaml`), variant(n));
  writeFileSync(join(dir, 'bad.yaml'), 'trt_llm:\n  build:\n    max_batch_size: -1\n');
  writeFileSync(join(dir, 'deploy.sh'), DEPLOY);
}, 60_000);

afterAll(async () => {
  killAll(procs);
  await hub.close();
  await new Promise((r) => receiver.close(r));
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy script with trt-build', () => {
  it('succeeds: submit --wait shows step progress, fetch downloads every file and checks it against the manifest', async () => {
    const w = await startWorker();
    const r = await sh('sh ./deploy.sh config-20.yaml engine').done;
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/build [0-9a-f]{16}-\d+: running/);
    expect(r.stderr).toMatch(/ {2}engine_build: succeeded in \d/);
    expect(r.stdout).toMatch(/fetched \d+ files \(\d+ bytes\) to engine; every sha256 matches manifest.json/);
    const manifest = JSON.parse(readFileSync(join(dir, 'engine', 'manifest.json'), 'utf8')) as {
      files: { path: string; sha256: string }[];
    };
    expect(manifest.files.length).toBeGreaterThan(0);
    for (const f of manifest.files)
      expect(
        createHash('sha256')
          .update(readFileSync(join(dir, 'engine', f.path)))
          .digest('hex'),
      ).toBe(f.sha256);

    const id = (await sh('trt-build list --json').done).stdout;
    const page = JSON.parse(id) as { items: { id: string; status: string }[] };
    const built = page.items.find((b) => b.status === 'succeeded')?.id ?? '';
    const verify = await sh(`trt-build verify ${built}`).done;
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verified \d+ files against manifest.json/);
    const logs = await sh(`trt-build logs ${built}`).done;
    expect(logs.stdout).toMatch(/^\[fetch\] /m);
    const status = await sh(`trt-build status ${built}`).done;
    expect(status.stdout).toContain(`build ${built} succeeded (L4)`);
    expect(status.stdout).toMatch(/✓ engine_build/);

    // A file altered in the store: fetch refuses it (exit 1) and names it; verify does too.
    // The configured webhook endpoint got the build's status changes, signed, in order.
    await waitFor(
      () => Promise.resolve(hooks.filter((h) => h.buildId === built)),
      (hs) => hs.some((h) => h.type === 'build.succeeded'),
      20_000,
      'succeeded webhook',
    );
    expect(hooks.filter((h) => h.buildId === built)).toEqual([
      { type: 'build.running', buildId: built, signed: true },
      { type: 'build.succeeded', buildId: built, signed: true },
    ]);

    const rel = manifest.files[0]?.path ?? '';
    const view = await api<{ artifacts: { prefix: string } }>(`/v1/builds/${built}`);
    writeFileSync(join(dir, 'store', view.artifacts.prefix, rel), 'tampered');
    const tampered = await sh(`trt-build fetch ${built} again`).done;
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`${rel}: size does not match the manifest`);
    expect((await sh(`trt-build verify ${built}`).done).code).toBe(1);
    await stop(w);
  }, 300_000);

  it('invalid config: exit 1 with diagnostics exactly as trt-plan prints them', async () => {
    const r = await sh('sh ./deploy.sh bad.yaml engine-bad').done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad\.yaml:3:\d+: error \w+ trt_llm\.build\.max_batch_size: /m);
    expect(r.stderr).toMatch(/^bad\.yaml: invalid \(\d+ errors, 0 warnings\)$/m);
    const fromStdin = await sh('trt-build submit - < bad.yaml').done;
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let planOut = '';
    stdout.on('data', (b: Buffer) => (planOut += b.toString()));
    stdin.end(readFileSync(join(dir, 'bad.yaml')));
    expect(await planMain(['-'], { stdin, stdout, stderr: new PassThrough() })).toBe(1);
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toBe(planOut);
  }, 180_000);

  it('cancelled: submit --wait exits 3 when the build is cancelled', async () => {
    const w = await startWorker({ FAKE_DOCKER_SLEEP_MS: '120000' });
    const waiting = sh('trt-build submit --wait config-24.yaml');
    const running = await waitFor(
      () => api<{ items: { id: string; status: string }[] }>('/v1/builds?status=running'),
      (p) => p.items.length > 0,
      45_000,
      'a running build',
    );
    const id = running.items[0]?.id ?? '';
    const cancel = await sh(`trt-build cancel ${id}`).done;
    expect(cancel.code).toBe(0);
    const r = await waiting.done;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`build ${id} was cancelled`);
    await stop(w);
  }, 300_000);

  it('failed: the script exits 1 and prints the reason and advice', async () => {
    const w = await startWorker({ FAKE_DOCKER_FAIL: 'cuda_oom' });
    const r = await sh('sh ./deploy.sh config-28.yaml engine-oom').done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/trt-build: build [0-9a-f]{16}-\d+ failed in step \w+: STEP_CUDA_OOM: /);
    expect(r.stderr).toMatch(/^advice: /m);
    expect(r.stderr).not.toContain(TOKEN);
    await stop(w);
  }, 300_000);

  it('usage and connection errors exit 2 without printing the token', async () => {
    expect((await sh('trt-build status').done).code).toBe(2);
    const down = await sh('trt-build list', [], { TRT_API_URL: 'http://127.0.0.1:1' }).done;
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach http://127.0.0.1:1');
    const badToken = await sh('trt-build list', [], { TRT_API_TOKEN: 'wrong-token-but-long-enough' }).done;
    expect(badToken.code).toBe(2);
    expect(badToken.stderr).toContain('UNAUTHORIZED');
    expect(badToken.stderr).toContain('check TRT_API_TOKEN');
    expect(badToken.stderr).not.toContain('wrong-token-but-long-enough');
    expect((await sh('trt-build list', [], { TRT_API_TOKEN: '' }).done).stderr).toContain('TRT_API_TOKEN is not set');
  }, 180_000);
});
