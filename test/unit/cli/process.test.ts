// trt-plan as a real child process: exit codes, stdin piping and stdout/stderr separation.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const RUNNER = join(import.meta.dirname, 'fixtures', 'run-cli.ts');
const FIX = join(import.meta.dirname, 'fixtures');

function run(args: string[], stdin?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}

describe('trt-plan process', () => {
  it('exit 0 / 1 / 2 as a real process', async () => {
    const [ok, bad, usage] = await Promise.all([
      run([join(FIX, 'valid.yaml')]),
      run(['--json', join(FIX, 'invalid.yaml')]),
      run(['--nope']),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid (0 errors');
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as { valid: boolean }).valid).toBe(false);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain('unknown option');
  });

  it('reads a piped config from stdin with -', async () => {
    const r = await run(['--json', '-'], readFileSync(join(FIX, 'valid.yaml')));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, errors: [], warnings: [], plan: { stack: 'v1' } });
  });
});
