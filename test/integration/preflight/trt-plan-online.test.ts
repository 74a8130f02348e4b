/**
 * `trt-plan --online` on the ten recipes pointed at the fake hub (real config files; stand-ins
 * named in hub-fixture.ts): every recipe still plans and prints the model facts and the memory
 * table; offline output is unchanged JSON and says what it could not check.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../orchestrator/cli/trt-plan.js';
import type { FakeHub } from '../../fixtures/servers/fake-hub.js';
import { startPreflightHub } from './hub-fixture.js';

const RECIPES = join(import.meta.dirname, '../../../recipes');
const recipes = readdirSync(RECIPES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
let hub: FakeHub;

beforeAll(async () => {
  hub = await startPreflightHub();
});
afterAll(async () => {
  await hub.close();
});

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await main(argv, {
    stdin: Readable.from([]),
    stdout,
    stderr: new PassThrough(),
    env: { HF_ENDPOINT: hub.url, OUTBOUND_ALLOW: '127.0.0.1', ...env },
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('trt-plan --online on the recipes', () => {
  it('finds the ten recipes', () => {
    expect(recipes).toHaveLength(10);
  });

  it.each(recipes)('%s plans and prints the model facts and the memory table', async (name) => {
    const file = join(RECIPES, name);
    const text = await run(['--online', file]);
    expect(text.code, text.stdout).toBe(0);
    const json = JSON.parse((await run(['--online', '--json', file])).stdout) as {
      valid: boolean;
      plan: { planHash: string } | null;
      preflight: { checked: boolean; notChecked: { what: string }[] };
    };
    const offline = JSON.parse((await run(['--json', file])).stdout) as {
      plan: { planHash: string } | null;
      preflight?: unknown;
    };
    expect(json.valid).toBe(true);
    expect(json.plan?.planHash).toBe(offline.plan?.planHash);
    expect(offline.preflight).toBeUndefined();
    if (readFileSync(file, 'utf8').includes('source: REMOTE_URL')) {
      expect(json.preflight.checked).toBe(false);
      expect(text.stdout).toContain('pre-flight: checkpoint not checked');
      expect(text.stdout).toMatch(/not checked +checkpoint facts: a REMOTE_URL checkpoint is an archive/);
      return;
    }
    expect(json.preflight.checked).toBe(true);
    expect(text.stdout).toContain('pre-flight (checkpoint facts, TensorRT-LLM 1.2 rules):');
    expect(text.stdout).toMatch(/ {2}model {8}\S+ @ [0-9a-f]{12}: \w+, [\d.]+B parameters/);
    expect(text.stdout).toMatch(/ {2}memory per GPU \(\w+ [\d.]+ GiB, TP \d+/);
    expect(text.stdout).toMatch(/ {4}KV cache \(x[\d.]+\) +[\d.]+ GiB = [\d,]+ tokens/);
    expect(text.stdout).toContain('rough estimate');
  });

  it('offline text says what was not checked', async () => {
    const r = await run([join(RECIPES, 'llama-3.1-8b-fp8-h100.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^pre-flight: not checked offline .* run with --online/);
  });

  it('--online fails a config the checkpoint contradicts (exit 1, diagnostic with position)', async () => {
    const yaml = readFileSync(join(RECIPES, 'qwen2.5-7b-noquant-l4.yaml'), 'utf8').replace(
      'max_seq_len: 8192',
      'max_seq_len: 131072',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'trt-online-')), 'c.yaml');
    writeFileSync(file, yaml);
    const r = await run(['--online', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /c\.yaml:\d+:\d+: error PREFLIGHT_MAX_SEQ_LEN_TOO_LONG trt_llm\.build\.max_seq_len: max_seq_len 131072 exceeds the 32768 tokens/,
    );
  });
});
