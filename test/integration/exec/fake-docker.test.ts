import { execa } from 'execa';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../../orchestrator/exec/run-process.js';
import { FAKE_BIN, IMAGE, fakeDockerState, lineLog } from './helpers.js';

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

const run = (args: string[], env: Record<string, string>) => execa(DOCKER, args, { reject: false, env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false });

describe.concurrent('the fake docker CLI itself', () => {
  it('says it is a fake and needs its state dir', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', IMAGE, 'trtllm-build'], {});
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain('FAKE_DOCKER_STATE is not set (this is the test fake, not Docker)');
  });

  it('rejects an unknown flag with docker text and exit 125', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', '--privileged', IMAGE, 'trtllm-build'], { FAKE_DOCKER_STATE: state() });
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe("unknown flag: --privileged\nSee 'docker run --help'.");
  });

  it('an executable missing from the image is exit 127 with the OCI error', async () => {
    const r = await run(['run', '--rm', '--name', 'x1', IMAGE, 'bash', '-c', 'echo hi'], { FAKE_DOCKER_STATE: state() });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('exec: "bash": executable file not found in $PATH');
  });

  it('docker kill/rm/stop/inspect of an unknown container fail like docker; other commands are refused', async () => {
    const s = state();
    const k = await run(['kill', 'ghost'], { FAKE_DOCKER_STATE: s });
    expect(k.exitCode).toBe(1);
    expect(k.stderr).toBe('Error response from daemon: Cannot kill container: ghost: No such container: ghost');
    const ex = await run(['exec', 'ghost', 'ls'], { FAKE_DOCKER_STATE: s });
    expect(ex.exitCode).toBe(1);
    expect(ex.stderr).toContain("docker: 'exec' is not a docker command.");
  });

  it('a name in use is a conflict (exit 125), and the secret value is never printed', async () => {
    const s = state();
    const ws = state();
    const secret = 'hf_fake_docker_secret';
    const env = { FAKE_DOCKER_STATE: s, FAKE_DOCKER_FAIL: 'hang', HF_TOKEN: secret };
    const args = ['run', '--rm', '--name', 'dup', '-v', `${ws}:/workspace`, '-e', 'HF_TOKEN', IMAGE, 'trtllm-build', '--checkpoint_dir', '/workspace/c', '--output_dir', '/workspace/e'];
    const log = lineLog();
    const first = runProcess({ file: DOCKER, args, env: { PATH: process.env['PATH'] ?? '', ...env }, timeoutMs: 60_000, signal: new AbortController().signal, forceKillAfterMs: 1_000, secretValues: [], onLine: log.onLine });
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
});
