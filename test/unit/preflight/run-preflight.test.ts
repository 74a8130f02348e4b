import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPreflight, locateFindings, settingsOf } from '../../../orchestrator/preflight/apply-preflight.js';
import { runPreflight, type PreflightInput } from '../../../orchestrator/preflight/run-preflight.js';
import type { CheckpointFacts } from '../../../orchestrator/preflight/types.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { facts, settingsFor, yamlFor, type YamlOpts } from './helpers.js';

function ckpt(name: string, repo: string, bytes: number | null = null): CheckpointFacts {
  return {
    source: 'HF',
    repo,
    requestedRevision: null,
    resolvedRevision: 'a'.repeat(40),
    model: facts(name),
    checkpointBytes: bytes,
  };
}

function run(o: YamlOpts, name: string, extra: Partial<PreflightInput> = {}) {
  return runPreflight({
    settings: settingsFor(o),
    checkpoint: { ok: true, value: ckpt(name, o.repo ?? 'meta-llama/Llama-3.1-8B-Instruct') },
    adapters: [],
    ...extra,
  });
}
const codes = (r: ReturnType<typeof run>): string[] => r.findings.map((f) => f.code);

describe('memory findings', () => {
  it('a 70B model in FP16 on one 80 GB GPU: weights do not fit, fix names the TP and FP8', () => {
    const r = run({ repo: 'meta-llama/Llama-3.1-70B-Instruct' }, 'meta-llama__Llama-3.1-70B-Instruct');
    const e = r.findings.find((f) => f.code === 'PREFLIGHT_WEIGHTS_DO_NOT_FIT');
    expect(e).toMatchObject({ severity: 'error', path: 'trt_llm.build.tensor_parallel_count' });
    expect(e?.message).toMatch(
      /131\.4 GiB per GPU.*use 2 GPUs \(tensor parallel 2, accelerator H100:2\) or quantization_type: fp8/,
    );
    expect(
      codes(run({ repo: 'meta-llama/Llama-3.1-70B-Instruct', tp: 4 }, 'meta-llama__Llama-3.1-70B-Instruct')),
    ).not.toContain('PREFLIGHT_WEIGHTS_DO_NOT_FIT');
  });

  it('warns with the largest batch × sequence the KV cache holds; a smaller batch passes', () => {
    const r = run(
      { repo: 'meta-llama/Llama-3.1-8B-Instruct', maxSeqLen: 131072, maxBatchSize: 256 },
      'meta-llama__Llama-3.1-8B-Instruct',
    );
    const w = r.findings.find((f) => f.code === 'PREFLIGHT_KV_CACHE_LIMITS_BATCH');
    expect(w?.severity).toBe('warning');
    const t = r.section.memory?.perGpu;
    expect(w?.message).toContain(
      `${t?.sequencesAtMaxSeqLen} concurrent sequence(s) of 131072 tokens, or 256 sequences of ${t?.seqLenAtMaxBatch} tokens`,
    );
    expect(
      codes(
        run(
          { repo: 'meta-llama/Llama-3.1-8B-Instruct', maxSeqLen: 8192, maxBatchSize: 8 },
          'meta-llama__Llama-3.1-8B-Instruct',
        ),
      ),
    ).toEqual([]);
  });

  it('FP8 calibration of a 70B model on one builder GPU is an error naming num_builder_gpus; two pass', () => {
    const o = { repo: 'meta-llama/Llama-3.3-70B-Instruct', quant: 'fp8', tp: 4, builderGpus: 1 };
    const e = run(o, 'meta-llama__Llama-3.3-70B-Instruct').findings.find(
      (f) => f.code === 'PREFLIGHT_CALIBRATION_GPUS',
    );
    expect(e).toMatchObject({ path: 'trt_llm.build.num_builder_gpus' });
    expect(e?.message).toContain('set num_builder_gpus: 2');
    expect(codes(run({ ...o, builderGpus: 2 }, 'meta-llama__Llama-3.3-70B-Instruct'))).not.toContain(
      'PREFLIGHT_CALIBRATION_GPUS',
    );
  });
});

describe('runPreflight', () => {
  it('fills the section: model facts, memory table, disk, rough build time, what was not checked', () => {
    const r = run(
      { repo: 'meta-llama/Llama-3.1-8B-Instruct', quant: 'fp8', maxSeqLen: 8192 },
      'meta-llama__Llama-3.1-8B-Instruct',
    );
    expect(r.section.checked).toBe(true);
    expect(r.section.model).toMatchObject({
      architecture: 'LlamaForCausalLM',
      parameters: 8_030_261_248,
      attention: 'GQA',
      kvHeads: 8,
      revision: 'a'.repeat(40),
    });
    expect(r.section.memory).toMatchObject({
      gpu: 'H100',
      tp: 1,
      weightFormat: 'fp8',
      kvCacheDtype: 'bf16',
      maxSeqLen: 8192,
    });
    expect(r.section.disk?.totalBytes).toBe(
      (r.section.disk?.checkpointBytes ?? 0) +
        (r.section.disk?.convertedBytes ?? 0) +
        (r.section.disk?.engineBytes ?? 0),
    );
    expect(r.section.buildTimeEstimate?.label).toMatch(/^rough estimate/);
    expect(r.section.buildTimeEstimate?.steps.map((s) => s.kind)).toEqual(['fetch', 'quantize', 'engine_build']);
    expect(r.section.calibration).toMatchObject({ builderGpus: 1, builderGpusNeeded: 1 });
    expect(r.section.notChecked.map((n) => n.what)).toContain('worker free disk');
  });

  it('uses the listed checkpoint bytes for disk when known', () => {
    const s = settingsFor({});
    const r = runPreflight({
      settings: s,
      checkpoint: {
        ok: true,
        value: ckpt('meta-llama__Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct', 123),
      },
      adapters: [],
    });
    expect(r.section.disk?.checkpointBytes).toBe(123);
  });

  it('offline: nothing checked, and says why', () => {
    const r = runPreflight({ settings: settingsFor({}), checkpoint: null, adapters: [] });
    expect(r.findings).toEqual([]);
    expect(r.section).toMatchObject({ checked: false, model: null, memory: null });
    expect(r.section.notChecked[0]?.why).toMatch(/offline.*--online/);
  });

  it('a gated repo without a token and a missing repo are errors with the fix; an unreachable hub or unreadable config only a warning', () => {
    const denied = runPreflight({
      settings: settingsFor({}),
      checkpoint: {
        ok: false,
        problem: {
          kind: 'denied',
          message: 'hf:meta-llama/Llama-3.1-8B-Instruct@main: access denied (gated repository)',
        },
      },
      adapters: [],
    });
    expect(denied.findings[0]).toMatchObject({
      code: 'PREFLIGHT_CHECKPOINT_ACCESS_DENIED',
      severity: 'error',
      path: 'trt_llm.build.checkpoint_repository.repo',
    });
    expect(denied.findings[0]?.message).toContain("accept the model's license");
    const down = runPreflight({
      settings: settingsFor({}),
      checkpoint: { ok: false, problem: { kind: 'unavailable', message: 'timeout' } },
      adapters: [],
    });
    expect(down.findings.map((f) => [f.code, f.severity])).toEqual([['PREFLIGHT_NOT_CHECKED', 'warning']]);
    const unsupported = runPreflight({
      settings: settingsFor({}),
      checkpoint: { ok: false, problem: { kind: 'unsupported', message: 'archives are not opened' } },
      adapters: [],
    });
    expect(unsupported.findings).toEqual([]);
    expect(unsupported.section.notChecked).toEqual([{ what: 'checkpoint facts', why: 'archives are not opened' }]);
    expect(
      runPreflight({
        settings: settingsFor({}),
        checkpoint: { ok: false, problem: { kind: 'missing', message: 'x' } },
        adapters: [],
      }).findings[0],
    ).toMatchObject({ code: 'PREFLIGHT_CHECKPOINT_NOT_FOUND', severity: 'error' });
    expect(
      runPreflight({
        settings: settingsFor({}),
        checkpoint: { ok: false, problem: { kind: 'invalid', message: 'x' } },
        adapters: [],
      }).findings[0],
    ).toMatchObject({ code: 'PREFLIGHT_CHECKPOINT_UNREADABLE', severity: 'warning' });
  });

  it('checks adapters and reports unreadable ones', () => {
    const s = settingsFor({
      accelerator: 'A100',
      maxSeqLen: 8192,
      maxBatchSize: 8,
      lora: { rank: 16, modules: ['attn_q'] },
    });
    const r = runPreflight({
      settings: s,
      checkpoint: { ok: true, value: ckpt('meta-llama__Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct') },
      adapters: [
        {
          name: 'sql',
          result: {
            ok: true,
            value: { name: 'sql', rank: 64, targetModules: ['q_proj'], baseModel: null, modulesToSave: [] },
          },
        },
      ],
    });
    expect(r.findings.map((f) => f.code)).toEqual(['PREFLIGHT_LORA_RANK_TOO_LARGE']);
    expect(r.section.adapters).toEqual([{ name: 'sql', rank: 64, targetModules: ['q_proj'], baseModel: null }]);
    const bad = runPreflight({
      settings: s,
      checkpoint: { ok: true, value: ckpt('meta-llama__Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct') },
      adapters: [{ name: 'sql', result: { ok: false, problem: { kind: 'denied', message: 'private' } } }],
    });
    expect(bad.findings[0]).toMatchObject({
      code: 'PREFLIGHT_CHECKPOINT_ACCESS_DENIED',
      path: 'trt_llm.build.lora_adapters.sql',
    });
  });

  it('never throws for arbitrary shapes of real configs', () => {
    const names = [
      'meta-llama__Llama-3.1-8B',
      'deepseek-ai__DeepSeek-V3',
      'Qwen__Qwen3-30B-A3B',
      'BAAI__bge-large-en-v1.5',
      'openai__gpt-oss-20b',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer({ min: 1, max: 1 << 20 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 1000 }),
        (n, seq, heads, kv) => {
          const f = { ...facts(n), numHeads: heads, numKvHeads: kv, maxPositionEmbeddings: seq };
          const r = runPreflight({
            settings: settingsFor({}),
            checkpoint: { ok: true, value: { ...ckpt(n, 'meta-llama/Llama-3.1-8B-Instruct'), model: f } },
            adapters: [],
          });
          expect(r.section.checked).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('applyPreflight', () => {
  it('positions findings in the config, fails the outcome on errors, keeps the plan hash on success', () => {
    const text = yamlFor({ repo: 'meta-llama/Llama-3.1-70B-Instruct', tp: 3 });
    const outcome = planConfigText(text);
    const s = settingsOf(outcome, text);
    expect(s).not.toBeNull();
    const r = runPreflight({
      settings: s!,
      checkpoint: { ok: true, value: ckpt('meta-llama__Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct') },
      adapters: [],
    });
    const out = applyPreflight(outcome, text, r);
    expect(out.valid).toBe(false);
    expect(out.plan).toBeNull();
    const e = out.errors.find((d) => d.code === 'PREFLIGHT_HEADS_NOT_DIVISIBLE');
    expect(e).toMatchObject({ line: text.split('\n').findIndex((l) => l.includes('tensor_parallel_count')) + 1 });
    expect(out.preflight?.checked).toBe(true);

    const okText = yamlFor({ repo: 'meta-llama/Llama-3.1-70B-Instruct', tp: 4, maxSeqLen: 8192, maxBatchSize: 8 });
    const okOutcome = planConfigText(okText);
    const ok = applyPreflight(
      okOutcome,
      okText,
      runPreflight({
        settings: settingsOf(okOutcome, okText)!,
        checkpoint: {
          ok: true,
          value: ckpt('meta-llama__Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct'),
        },
        adapters: [],
      }),
    );
    expect(ok.valid).toBe(true);
    expect(ok.plan?.planHash).toBe(okOutcome.plan?.planHash);
    expect(ok.plan).toBe(okOutcome.plan);
  });

  it('has no settings for an invalid outcome, and locates findings even in unparseable text', () => {
    expect(settingsOf(planConfigText('trt_llm: 3'), 'trt_llm: 3')).toBeNull();
    expect(locateFindings('{{{', [{ code: 'X', severity: 'error', path: 'a.b', message: 'm' }])[0]).toMatchObject({
      line: 1,
      column: 1,
    });
  });
});
