/**
 * The service image plans every config: files are laid out exactly as builder-image/Dockerfile
 * copies them into the `api` and `worker` images (package.json, node_modules, and `dist/` = the
 * compiled `orchestrator/` — JavaScript only, as `tsc` emits it, nothing else from the source
 * tree), and a separate Node process plans every recipe and every corpus config from that layout.
 * A module that reads a file the image lacks (as the CLI-surface fixture once did) fails here.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { STEPS_DIR } from '../../../orchestrator/toolchain/layout.js';
import { ENCODER_SERVER_SCRIPT, EXPORT_HF_CHECKPOINT_SCRIPT } from '../../../orchestrator/toolchain/step-scripts.js';
import { CORPUS_DIR } from '../../support/shared-paths.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(REPO, 'builder-image/Dockerfile'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'trt-image-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function configs(): Array<{ name: string; text: string }> {
  const dirs = [join(REPO, 'recipes'), CORPUS_DIR];
  return dirs
    .filter((d) => existsSync(d))
    .flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => ({ name: f, text: readFileSync(join(d, f), 'utf8') })),
    );
}

describe('service image layout', () => {
  it('the Dockerfile copies only package.json, node_modules and the compiled dist/ into the runtime images', () => {
    const copies = [...DOCKERFILE.matchAll(/^COPY --from=build (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(new Set(copies)).toEqual(
      new Set([
        '/app/package.json ./package.json',
        '/app/node_modules ./node_modules',
        '/app/dist ./dist',
        '/usr/local/bin/node /usr/local/bin/node',
      ]),
    );
    expect(DOCKERFILE).toMatch(/^COPY orchestrator \.\/orchestrator$/m);
    expect(DOCKERFILE).toMatch(/^RUN npx tsc -p tsconfig\.build\.json/m);
  });

  it('the step image puts every step script the planner runs where the argv names it', () => {
    const steps = readFileSync(join(REPO, 'builder-image/Dockerfile.steps'), 'utf8');
    const copy = /^COPY ((?:steps\/\S+ )+)(\S+)$/m.exec(steps);
    expect(copy?.[2]).toBe(`${STEPS_DIR}/`);
    const copied = (copy?.[1] ?? '')
      .trim()
      .split(' ')
      .map((f) => f.replace(/^steps\//, ''));
    for (const script of [EXPORT_HF_CHECKPOINT_SCRIPT, ENCODER_SERVER_SCRIPT]) {
      const name = script.slice(STEPS_DIR.length + 1);
      expect(copied).toContain(name);
      expect(existsSync(join(REPO, 'builder-image/steps', name))).toBe(true);
    }
    const triton = readFileSync(join(REPO, 'builder-image/Dockerfile.triton'), 'utf8');
    expect(triton).toMatch(/TENSORRTLLM_VER=1\.2\.1/);
  });

  it('plans every recipe and corpus config from that layout exactly as from the source tree', () => {
    const app = join(root, 'opt-trt');
    // dist/ as tsc emits it for tsconfig.build.json (rootDir orchestrator): one .js per .ts, nothing else.
    const entryPoints = tsFiles(join(REPO, 'orchestrator'));
    buildSync({
      entryPoints,
      outdir: join(app, 'dist'),
      outbase: join(REPO, 'orchestrator'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      bundle: false,
      logLevel: 'silent',
    });
    copyFileSync(join(REPO, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'), 'dir');
    expect(existsSync(join(app, 'dist/toolchain/fixture/trtllm-cli-surface.json'))).toBe(false);

    const all = configs();
    const script = `
      import { planConfigText } from ${JSON.stringify(pathToFileURL(join(app, 'dist/plan/plan-config.js')).href)};
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      const out = JSON.parse(input).map((c) => {
        const r = planConfigText(c.text);
        return { name: c.name, planHash: r.plan ? r.plan.planHash : null, codes: r.errors.map((e) => e.code) };
      });
      process.stdout.write(JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      input: JSON.stringify(all),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    const fromImage = JSON.parse(stdout) as Array<{ name: string; planHash: string | null; codes: string[] }>;
    const fromSource = all.map((c) => {
      const r = planConfigText(c.text);
      return { name: c.name, planHash: r.plan ? r.plan.planHash : null, codes: r.errors.map((e) => e.code) };
    });
    expect(fromImage.filter((r) => r.codes.some((c) => c.startsWith('INTERNAL'))).map((r) => r.name)).toEqual([]);
    expect(fromImage).toEqual(fromSource);
    expect(fromImage.filter((r) => r.planHash !== null).length).toBeGreaterThan(10);
  }, 300_000);
});
