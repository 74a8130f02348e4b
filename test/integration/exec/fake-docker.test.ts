import { execa } from 'execa';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { runProcess } from '../../../orchestrator/exec/run-process.js';
import { containerLives, isAlive, runningContainers } from '../../fixtures/bin/lib/fake-docker/state.js';
import { FAKE_BIN, IMAGE, fakeDockerState, lineLog, waitUntil } from './helpers.js';

const DOCKER = path.join(FAKE_BIN, 'docker');
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function state(): string {
  const t = fakeDockerState();
  cleanups.push(t.cleanup);
  return t.dir;
}

const run = (args: string[], env: Record<string, string>) =>
  execa(DOCKER, args, { reject: false, env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false });

describe('the fake docker CLI itself', { timeout: 90_000 }, () => {
  it('says it is a fake and needs its state dir', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', IMAGE, 'trtllm-build'], {});
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain('FAKE_DOCKER_STATE is not set (this is the test fake, not Docker)');
  });

  it('rejects an unknown flag with docker text and exit 125', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', '--privileged', IMAGE, 'trtllm-build'], {
      FAKE_DOCKER_STATE: state(),
    });
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe("unknown flag: --privileged\nSee 'docker run --help'.");
  });

  it('an executable missing from the image is exit 127 with the OCI error', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', IMAGE, 'bash', '-c', 'echo hi'], {
      FAKE_DOCKER_STATE: state(),
    });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('exec: "bash": executable file not found in $PATH');
  });

  it('docker kill/rm/stop/inspect of an unknown container fail like docker; other commands are refused', async () => {
    const s = state();
    const k = await run(['kill', 'ghost'], { FAKE_DOCKER_STATE: s });
    expect(k.exitCode).toBe(1);
    expect(k.stderr).toBe('Error response from daemon: Cannot kill container: ghost: No such container: ghost');
    for (const [cmd, text] of [
      [['rm', '-f', 'ghost'], 'Error response from daemon: No such container: ghost'],
      [['stop', 'ghost'], 'Error response from daemon: No such container: ghost'],
      [['inspect', 'ghost'], 'Error: No such object: ghost'],
    ] as const) {
      const r = await run([...cmd], { FAKE_DOCKER_STATE: s });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(text);
    }
    expect((await run(['inspect', 'ghost'], { FAKE_DOCKER_STATE: s })).stdout).toBe('[]');
    expect((await run(['rm'], { FAKE_DOCKER_STATE: s })).stderr).toContain('"docker rm" requires at least 1 argument.');
    expect((await run(['ps', '--filter', 'colour=red'], { FAKE_DOCKER_STATE: s })).stderr).toBe(
      "Error response from daemon: invalid filter 'colour'",
    );
    expect((await run(['ps', '--bogus'], { FAKE_DOCKER_STATE: s })).stderr).toBe(
      "unknown flag: --bogus\nSee 'docker ps --help'.",
    );
    const ex = await run(['exec', 'ghost', 'ls'], { FAKE_DOCKER_STATE: s });
    expect(ex.exitCode).toBe(1);
    expect(ex.stderr).toContain("docker: 'exec' is not a docker command.");
  });

  it('a name in use is a conflict (exit 125), and the secret value is never printed', async () => {
    const s = state();
    const ws = state();
    const secret = 'hf_fake_docker_secret';
    const env = { FAKE_DOCKER_STATE: s, FAKE_DOCKER_FAIL: 'hang', HF_TOKEN: secret };
    const args = [
      'run',
      '--rm',
      '--name',
      'dup',
      '-v',
      `${ws}:/workspace`,
      '-e',
      'HF_TOKEN',
      IMAGE,
      'trtllm-build',
      '--checkpoint_dir',
      '/workspace/c',
      '--output_dir',
      '/workspace/e',
    ];
    const log = lineLog();
    const first = runProcess({
      file: DOCKER,
      args,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      forceKillAfterMs: 1_000,
      secretValues: [],
      onLine: log.onLine,
    });
    await log.waitFor(/Build phase/);
    const second = await run(args, { FAKE_DOCKER_STATE: s });
    expect(second.exitCode).toBe(125);
    expect(second.stderr).toContain('Conflict. The container name "/dup" is already in use');
    const killed = await run(['kill', 'dup'], { FAKE_DOCKER_STATE: s });
    expect(killed.exitCode).toBe(0);
    expect(killed.stdout).toBe('dup');
    const r = await first;
    expect(r.exitCode).toBe(137);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
  });

  it('a container outlives its SIGKILLed client; ps filters by label, inspect shows labels, devices and mounts; rm needs -f', async () => {
    const s = state();
    const ws = state();
    const env = { FAKE_DOCKER_STATE: s, FAKE_DOCKER_FAIL: 'hang' };
    const args = (name: string, build: string) => [
      'run',
      '--rm',
      '--name',
      name,
      '--label',
      'trt-orchestrator=1',
      '--label',
      `trt-orchestrator.build=${build}`,
      '--gpus',
      '"device=0,1"',
      '-v',
      `${ws}:/workspace`,
      '-v',
      `${ws}/.a/0:/workspace/engine`,
      IMAGE,
      'trtllm-build',
      '--checkpoint_dir',
      '/workspace/c',
      '--output_dir',
      '/workspace/engine',
    ];
    const client = execa(DOCKER, args('c1', 'b1'), {
      reject: false,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      extendEnv: false,
      detached: true,
    });
    await waitUntil(() => runningContainers(s).some((c) => c.Name === 'c1'), 'c1 runs', 30_000);
    process.kill(-(client.pid ?? 0), 'SIGKILL');
    await client;
    const rec = runningContainers(s).find((c) => c.Name === 'c1');
    expect(isAlive(rec?.Pid ?? -1)).toBe(true);
    // runc made the nested mount point inside the parent mount's source.
    expect(existsSync(path.join(ws, 'engine'))).toBe(true);
    // The name stays taken while the container runs, client or not.
    const dup = await run(args('c1', 'b1'), env);
    expect(dup.exitCode).toBe(125);
    expect(dup.stderr).toContain('Conflict. The container name "/c1" is already in use');
    const second = execa(DOCKER, args('c2', 'b2'), {
      reject: false,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      extendEnv: false,
    });
    await waitUntil(() => runningContainers(s).some((c) => c.Name === 'c2'), 'c2 runs', 30_000);

    const ps = await run(
      [
        'ps',
        '--no-trunc',
        '--filter',
        'label=trt-orchestrator=1',
        '--filter',
        'label=trt-orchestrator.build=b1',
        '--format',
        '{{json .}}',
      ],
      env,
    );
    expect(ps.exitCode).toBe(0);
    const rows = ps.stdout.split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => [r['Names'], r['ID'], r['State']])).toEqual([['c1', rec?.Id, 'running']]);
    expect(rows[0]?.['Labels']).toBe('trt-orchestrator=1,trt-orchestrator.build=b1');
    expect((await run(['ps', '-q', '--filter', 'label=trt-orchestrator'], env)).stdout.split('\n').sort()).toEqual(
      [
        rec?.Id.slice(0, 12),
        runningContainers(s)
          .find((c) => c.Name === 'c2')
          ?.Id.slice(0, 12),
      ].sort(),
    );
    expect((await run(['ps', '-q', '--filter', 'label=trt-orchestrator.build=b3'], env)).stdout).toBe('');

    const ins = await run(['inspect', '--type', 'container', rec?.Id.slice(0, 12) ?? ''], env);
    const [c] = JSON.parse(ins.stdout) as {
      Name: string;
      Config: { Labels: Record<string, string> };
      HostConfig: { DeviceRequests: { DeviceIDs: string[] }[] };
      Mounts: { Source: string; Destination: string }[];
    }[];
    expect(c?.Name).toBe('/c1');
    expect(c?.Config.Labels).toEqual({ 'trt-orchestrator': '1', 'trt-orchestrator.build': 'b1' });
    expect(c?.HostConfig.DeviceRequests[0]?.DeviceIDs).toEqual(['0', '1']);
    expect(c?.Mounts.map((m) => `${m.Source}:${m.Destination}`)).toEqual([
      `${ws}:/workspace`,
      `${ws}/.a/0:/workspace/engine`,
    ]);

    const noForce = await run(['rm', 'c1'], env);
    expect(noForce.exitCode).toBe(1);
    expect(noForce.stderr).toContain('container is running: stop the container before removing or force remove');
    const rm = await run(['rm', '-f', 'c1'], env);
    expect([rm.exitCode, rm.stdout]).toEqual([0, 'c1']);
    expect(isAlive(rec?.Pid ?? -1)).toBe(false);
    // docker stop: SIGTERM is ignored by a hung build, so SIGKILL after -t seconds.
    const stop = await run(['stop', '-t', '0', 'c2'], env);
    expect([stop.exitCode, stop.stdout]).toEqual([0, 'c2']);
    await second;
    expect(runningContainers(s)).toEqual([]);
    expect(containerLives(s).map((l) => [l.name, l.endedAt !== null])).toEqual([
      ['c1', true],
      ['c2', true],
    ]);
  });
});
