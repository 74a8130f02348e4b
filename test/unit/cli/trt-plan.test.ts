// trt-plan in-process: exit codes, text and JSON output, stdin, --out, schema, hostile input.
import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const FIX = join(import.meta.dirname, 'fixtures');
const VALID = join(FIX, 'valid.yaml');
const INVALID = join(FIX, 'invalid.yaml');
const WARNINGS = join(FIX, 'warnings.yaml');
const LINE = /^(.+):(\d+):(\d+): (error|warning) ([A-Z0-9_]+) (\S+): (.+)$/;

describe('trt-plan', () => {
  it('exits 0 on a valid config and says so', async () => {
    const r = await runCli([VALID]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${VALID}: valid (0 errors, 0 warnings)\n\nplan `)).toBe(true);
    expect(r.stdout).toContain('steps:');
    expect(r.stderr).toBe('');
  });

  it('exits 0 with warnings, one line per warning', async () => {
    const r = await runCli([WARNINGS]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n\n')[0]?.trim().split('\n') ?? [];
    expect(lines.slice(0, -1).every((l) => LINE.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`${WARNINGS}: valid (0 errors, 2 warnings)`);
    expect(r.stdout).toContain(`${WARNINGS}:3:11: warning MEMORY_BELOW_TRT_LLM_MINIMUM resources.memory:`);
    expect(r.stdout).toContain('FP8_WITHOUT_NUM_BUILDER_GPUS');
  });

  it('exits 1 on an invalid config with every problem in file order and no secret value', async () => {
    const r = await runCli([INVALID]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const diags = lines.slice(0, -1).map((l) => LINE.exec(l));
    expect(diags.every((m) => m !== null)).toBe(true);
    expect(diags.map((m) => m?.[5])).toEqual([
      'SECRET_VALUE_IN_CONFIG',
      'WORLD_SIZE_MISMATCH',
      'UNKNOWN_KEY',
      'FP8_REQUIRES_SM89',
      'CALIB_SIZE_NOT_MULTIPLE_OF_64',
    ]);
    expect(lines).toContain(
      `${INVALID}:15:19: error CALIB_SIZE_NOT_MULTIPLE_OF_64 trt_llm.build.quantization_config.calib_size: must be a multiple of 64 (got 1000); try 1024`,
    );
    const order = diags.map((m) => Number(m?.[2]) * 1000 + Number(m?.[3]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lines.at(-1)).toBe(`${INVALID}: invalid (5 errors, 0 warnings)`);
    expect(r.stdout).not.toContain('hf_notARealToken');
  });

  it('--json prints one object {valid, errors, warnings, plan} with D fields', async () => {
    const r = await runCli(['--json', INVALID]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as {
      valid: boolean;
      errors: Record<string, unknown>[];
      warnings: unknown[];
      plan: unknown;
    };
    expect(Object.keys(j)).toEqual(['valid', 'errors', 'warnings', 'plan']);
    expect(j.valid).toBe(false);
    expect(j.plan).toBeNull();
    expect(Object.keys(j.errors[0] ?? {})).toEqual(['code', 'severity', 'path', 'message', 'line', 'column']);
    expect(j.errors[0]).toMatchObject({
      code: 'SECRET_VALUE_IN_CONFIG',
      severity: 'error',
      path: 'secrets.hf_access_token',
      line: 5,
      column: 3,
    });
    const ok = await runCli(['--json', VALID]);
    const v = JSON.parse(ok.stdout) as {
      valid: boolean;
      errors: unknown[];
      warnings: unknown[];
      plan: { planHash: string; stack: string };
    };
    expect(v).toMatchObject({ valid: true, errors: [], warnings: [], plan: { stack: 'v1' } });
    expect(v.plan.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ok.code).toBe(0);
  });

  it('reads stdin with -', async () => {
    const r = await runCli(['-'], readFileSync(INVALID));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<stdin>:15:19: error CALIB_SIZE_NOT_MULTIPLE_OF_64');
    const ok = await runCli(['--json', '-'], readFileSync(VALID));
    expect(ok.code).toBe(0);
  });

  it('reports YAML errors as exit 1 with a position', async () => {
    const r = await runCli(['-'], 'trt_llm:\n  build: {a: 1\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:\d+:\d+: error YAML_SYNTAX_ERROR/);
  });

  it('rejects oversized and non-UTF-8 input with exit 1', async () => {
    const big = await runCli(['-'], Buffer.alloc(1024 * 1024 + 10, 0x20));
    expect(big.code).toBe(1);
    expect(big.stdout).toContain('CONFIG_TOO_LARGE');
    const bin = await runCli(['-'], Buffer.from([0x74, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    expect(bin.code).toBe(1);
    expect(bin.stdout).toContain('CONFIG_NOT_UTF8');
  });

  it('keeps one diagnostic per line even with control characters in keys', async () => {
    const r = await runCli(
      ['-'],
      'resources: {accelerator: H100}\ntrt_llm:\n  build:\n    "bad\\nkey\\u001b[31m": 1\n    checkpoint_repository: {source: HF, repo: a/b}\n',
    );
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stdout).not.toContain('\u001b');
  });

  it.each([
    [['/nonexistent/config.yaml'], 'no such file'],
    [[FIX], 'is a directory'],
    [['--frobnicate', VALID], 'unknown option'],
    [[], 'missing <config.yaml>'],
    [[VALID, INVALID], 'expected one config file'],
  ])('%j exits 2 (%s)', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('--help prints usage and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: trt-plan');
  });

  it('schema prints a JSON Schema of the input form', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      $schema: string;
      properties: Record<string, { oneOf?: { properties: Record<string, unknown>; required?: string[] }[] }>;
    };
    expect(s.$schema).toContain('json-schema.org');
    const [v1, v2] = s.properties['trt_llm']?.oneOf ?? [];
    expect(Object.keys(v1?.properties ?? {})).toEqual(['inference_stack', 'build', 'runtime', 'version_overrides']);
    expect(v2?.required).toEqual(['inference_stack', 'build', 'runtime']);
    expect(JSON.stringify(s)).toContain('"calib_size"');
  });

  it('--out writes plan.json for a valid config only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trt-plan-out-'));
    const out = join(dir, 'nested', 'out');
    const ok = await runCli(['--out', out, VALID]);
    expect(ok.code).toBe(0);
    const json = await runCli(['--json', VALID]);
    const plan = (JSON.parse(json.stdout) as { plan: unknown }).plan;
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'))).toEqual(plan);
    expect(readdirSync(out).sort()).toEqual(['launch', 'plan.json']);
    expect(readdirSync(join(out, 'launch'))).toContain('commands.json');
    expect(readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
    const bad = join(dir, 'bad');
    const r = await runCli(['--out', bad, INVALID]);
    expect(r.code).toBe(1);
    expect(existsSync(bad)).toBe(false);
  });

  it('--out into a path that is a file exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trt-plan-out-'));
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const r = await runCli(['--out', file, VALID]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write');
  });
});
