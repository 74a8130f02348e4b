import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import { createDockerFence, FenceError } from '../../../orchestrator/exec/docker-fence.js';
import { createLocalFence } from '../../../orchestrator/exec/local-fence.js';
import { attemptKey, type AttemptLabels } from '../../../orchestrator/exec/types.js';
import { runningContainers } from '../../fixtures/bin/lib/fake-docker/state.js';
import { FAKE_BIN, IMAGE, containerStep, fakeDockerState, runContext, tempDir, waitUntil } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

/** A stand-in docker CLI: a shell script (what a broken or hung docker looks like to the fence). */
function scriptDocker(body: string): string {
  const t = tempDir('fence-docker-');
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'docker');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

async function fenceError(p: Promise<unknown>): Promise<FenceError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FenceError) return err;
    throw err;
  }
  throw new Error('expected a FenceError');
}

const ID = 'a'.repeat(64);

describe('createDockerFence: failures are precise FenceErrors', () => {
  it('a docker CLI that cannot run', async () => {
    const e = await fenceError(
      createDockerFence({ dockerBin: '/nonexistent/docker', env: { PATH: '/usr/bin:/bin' } }).busyGpuIds('h'),
    );
    expect(e.code).toBe('FENCE_DOCKER_FAILED');
    expect(e.message).toMatch(/^docker ps could not run: /);
  });

  it('a hung docker CLI hits the time limit', async () => {
    const fence = createDockerFence({
      dockerBin: scriptDocker('exec sleep 30'),
      env: { PATH: '/usr/bin:/bin' },
      timeoutMs: 300,
    });
    const e = await fenceError(fence.reapOrphans('h', new Set()));
    expect(e).toMatchObject({ code: 'FENCE_TIMEOUT', message: 'docker ps did not finish within 300 ms' });
  });

  it('docker ps failing, or printing something that is not an id', async () => {
    const down = createDockerFence({
      dockerBin: scriptDocker(
        'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1',
      ),
      env: {},
    });
    expect(await fenceError(down.stopBuild('b'))).toMatchObject({
      code: 'FENCE_DOCKER_FAILED',
      message:
        'docker ps exited 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    });
    const odd = createDockerFence({ dockerBin: scriptDocker('echo "WARNING: something"'), env: {} });
    expect(await fenceError(odd.busyGpuIds('h'))).toMatchObject({
      code: 'FENCE_DOCKER_FAILED',
      message: 'docker ps printed "WARNING: something", not a container id',
    });
  });

  it('docker inspect printing garbage or failing for another reason than a vanished container', async () => {
    const garbage = createDockerFence({
      dockerBin: scriptDocker(`if [ "$1" = ps ]; then echo ${ID}; else echo '{not json'; fi`),
      env: {},
    });
    expect(await fenceError(garbage.busyGpuIds('h'))).toMatchObject({
      code: 'FENCE_DOCKER_FAILED',
      message: 'docker inspect printed something that is not JSON: "{not json"',
    });
    const denied = createDockerFence({
      dockerBin: scriptDocker(
        `if [ "$1" = ps ]; then echo ${ID}; else echo '[]'; echo 'permission denied while trying to connect' >&2; exit 1; fi`,
      ),
      env: {},
    });
    expect(await fenceError(denied.busyGpuIds('h'))).toMatchObject({
      code: 'FENCE_DOCKER_FAILED',
      message: 'docker inspect exited 1: permission denied while trying to connect',
    });
    // Vanished between ps and inspect: not an error, just nothing there.
    const vanished = createDockerFence({
      dockerBin: scriptDocker(
        `if [ "$1" = ps ]; then echo ${ID}; else echo '[]'; echo 'Error: No such object: ${ID}' >&2; exit 1; fi`,
      ),
      env: {},
    });
    expect(await vanished.busyGpuIds('h')).toEqual(new Set());
  });

  it('docker rm -f failing is FENCE_STOP_FAILED; a container already gone is not a failure', async () => {
    const inspect = JSON.stringify([
      { Id: ID, Name: '/c1', Config: { Labels: { 'trt-orchestrator': '1', 'trt-orchestrator.build': 'b1' } } },
    ]);
    const stuck = createDockerFence({
      dockerBin: scriptDocker(
        `case "$1" in ps) echo ${ID};; inspect) echo '${inspect}';; rm) echo 'Error response from daemon: cannot remove container "/c1": could not kill: tried to kill container, but did not receive an exit event' >&2; exit 1;; esac`,
      ),
      env: {},
    });
    expect(await fenceError(stuck.stopBuild('b1'))).toMatchObject({
      code: 'FENCE_STOP_FAILED',
      message:
        'docker rm -f exited 1: Error response from daemon: cannot remove container "/c1": could not kill: tried to kill container, but did not receive an exit event',
    });
    const gone = createDockerFence({
      dockerBin: scriptDocker(
        `case "$1" in ps) echo ${ID};; inspect) echo '${inspect}';; rm) echo 'Error response from daemon: No such container: ${ID}' >&2; exit 1;; esac`,
      ),
      env: {},
    });
    expect(await gone.stopBuild('b1')).toBe(0);
  });

  it('a filter value that cannot be a label matches nothing (docker is not asked)', async () => {
    const fence = createDockerFence({ dockerBin: scriptDocker('echo "docker was called" >&2; exit 1'), env: {} });
    expect(await fence.stopBuild('a,b=c')).toBe(0);
    expect(await fence.busyGpuIds('host with spaces')).toEqual(new Set());
  });

  it('the local fence finds nothing', async () => {
    const f = createLocalFence();
    expect(await f.reapOrphans('h', new Set())).toEqual([]);
    expect(await f.stopBuild('b')).toBe(0);
    expect(await f.busyGpuIds('h')).toEqual(new Set());
  });
});

describe('createDockerFence over the fake docker', { timeout: 120_000 }, () => {
  it('reapOrphans keeps the attempts in keep, stops the rest of this host (malformed ones too), and leaves other hosts alone', async () => {
    const ws = tempDir('fence-ws-');
    const state = fakeDockerState();
    cleanups.push(ws.cleanup, state.cleanup);
    const env = {
      ...process.env,
      PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
      FAKE_DOCKER_STATE: state.dir,
    } as Record<string, string>;
    const executor = createDockerExecutor({ env: { ...env, FAKE_DOCKER_FAIL: 'hang' }, forceKillAfterMs: 1_000 });
    const mk = (build: string, host: string): AttemptLabels => ({
      build,
      step: 'engine_build',
      attempt: 1,
      worker: 'w1',
      host,
    });
    const kept = mk('b-kept', 'h1');
    const runs = [
      executor.run(
        containerStep({ timeoutSeconds: 600 }),
        runContext(ws.dir, { runName: 'r-kept', gpuIds: ['0'], labels: kept }).ctx,
      ),
      executor.run(
        containerStep({ timeoutSeconds: 600 }),
        runContext(ws.dir, { runName: 'r-orphan', gpuIds: ['1'], labels: mk('b-orphan', 'h1') }).ctx,
      ),
      executor.run(
        containerStep({ timeoutSeconds: 600 }),
        runContext(ws.dir, { runName: 'r-other', gpuIds: ['2'], labels: mk('b-other', 'h2') }).ctx,
      ),
    ];
    // A container of ours whose labels are not a complete attempt (started by hand, or an old version).
    const { execa } = await import('execa');
    const odd = execa(
      path.join(FAKE_BIN, 'docker'),
      [
        'run',
        '--rm',
        '--name',
        'r-odd',
        '--label',
        'trt-orchestrator=1',
        '--label',
        'trt-orchestrator.host=h1',
        IMAGE,
        'trtllm-build',
      ],
      { env: { ...env, FAKE_DOCKER_FAIL: 'hang' }, reject: false },
    );
    await waitUntil(() => runningContainers(state.dir).length === 4, 'four containers run', 60_000);
    const fence = createDockerFence({ env });
    expect(await fence.busyGpuIds('h1')).toEqual(new Set(['0', '1']));
    const reaped = await fence.reapOrphans('h1', new Set([attemptKey(kept)]));
    expect(reaped).toEqual([mk('b-orphan', 'h1')]);
    expect(
      runningContainers(state.dir)
        .map((c) => c.Name)
        .sort(),
    ).toEqual(['r-kept', 'r-other']);
    expect(await fence.stopBuild('b-kept')).toBe(1);
    expect(await fence.reapOrphans('h2', new Set())).toEqual([mk('b-other', 'h2')]);
    expect(runningContainers(state.dir)).toEqual([]);
    await Promise.all([...runs, odd]);
  });
});
