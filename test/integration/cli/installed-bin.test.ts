// The installed entry point (`bin/trt-plan.js` → the bundled CLI in dist/) plans every recipe as a
// fresh process: this is what `npx trt-plan` runs after `npm ci`, so a bundling mistake (a file the
// bundle cannot find at run time, a missing export) fails here rather than for users.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'trt-plan.js');
const RECIPES = readdirSync(join(ROOT, 'recipes'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function runBin(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('installed trt-plan binary', () => {
  beforeAll(() => {
    // `npm ci` builds dist/ through `prepare`; build here too when a checkout has not been built.
    if (!existsSync(join(ROOT, 'dist', 'trt-plan.bundle.mjs'))) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    }
  }, 120_000);

  it('has ten or more recipes to plan', () => {
    expect(RECIPES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(RECIPES)('plans recipes/%s with exit 0 and a plan', (recipe) => {
    const r = runBin(['--json', join('recipes', recipe)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      errors: unknown[];
      plan: { planHash: string; steps: unknown[] } | null;
    };
    expect(out.valid).toBe(true);
    expect(out.errors).toEqual([]);
    expect(out.plan?.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.plan?.steps.length).toBeGreaterThanOrEqual(2);
  });

  it('reports an invalid config read from stdin with exit 1 and file:line:col', () => {
    const r = runBin(['-'], 'trt_llm:\n  build:\n    max_batch_size: "2"\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:\d+:\d+: error [A-Z_]+ /m);
  });

  it('exits 2 on an unknown flag and on a missing file', () => {
    expect(runBin(['--nope', 'x.yaml']).status).toBe(2);
    expect(runBin(['does-not-exist.yaml']).status).toBe(2);
  });
});
