/** deriveEngineSettings / deriveQuant on their own: the exact settings, errors and assumptions of a v1 build. */
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { TrtLlmConfigV1 } from '../../../orchestrator/config/schema/trt-llm.js';
import { gpuInfo, type GpuType } from '../../../orchestrator/gpu/catalog.js';
import { HF_TO_TRT_LORA, deriveEngineSettings, deriveQuant } from '../../../orchestrator/plan/derive-engine.js';

const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const LLAMA_FAMILY = `model family llama: repository "${LLAMA}" names a Llama/Mistral-architecture model (config.json is not read offline)`;
const NO_SEQ_LEN = 'build.max_seq_len not set: trtllm-build deduces it from config.json max_position_embeddings';

/** The validated v1 config of `build` lines (4-space indented) on `accelerator`. */
function cfg(build = '', accelerator = 'H100'): TrtLlmConfigV1 {
  const text = `resources:\n  accelerator: ${accelerator}\ntrt_llm:\n  build:\n    checkpoint_repository: {source: HF, repo: ${LLAMA}}\n${build}`;
  const v = validateConfigText(text);
  if (!v.config) throw new Error(JSON.stringify(v.errors));
  return v.config.trtLlm as TrtLlmConfigV1;
}

type Build = TrtLlmConfigV1['build'];
const edit = (c: TrtLlmConfigV1, build: Partial<Build>): TrtLlmConfigV1 => ({ ...c, build: { ...c.build, ...build } });

function derive(
  c: TrtLlmConfigV1,
  {
    gpu = 'H100',
    builderGpus = 1,
    repo = LLAMA,
    architecture = undefined,
  }: { gpu?: GpuType; builderGpus?: number; repo?: string; architecture?: string } = {},
) {
  const assumptions: string[] = ['earlier'];
  const r = deriveEngineSettings(c, gpuInfo(gpu), builderGpus, repo, architecture, assumptions);
  return { ...r, assumptions: assumptions.slice(1) };
}

const BASE = {
  family: 'llama',
  tp: 1,
  pp: 1,
  moeEp: null,
  quant: null,
  maxBatchSize: 256,
  maxNumTokens: 8192,
  maxSeqLen: null,
  pagedKvCache: true,
  pagedContextFmha: true,
  fp8ContextFmha: false,
  lookahead: null,
  lora: null,
  gatherAllTokenLogits: false,
  maxPromptEmbeddingTableSize: 0,
  workers: 1,
};

const FP8 = {
  qformat: 'fp8',
  kvCacheDtype: null,
  calibSize: 1024,
  calibMaxSeqLength: 1536,
  calibDatasetDir: '/workspace/calibration/cnn_dailymail',
};

describe('deriveEngineSettings', () => {
  it('a plain decoder: the config as written, the family from the repo name, a note on max_seq_len', () =>
    expect(derive(cfg())).toEqual({ settings: BASE, errors: [], assumptions: [LLAMA_FAMILY, NO_SEQ_LEN] }));

  it('copies the sizes, parallelism, logits and prompt table as written', () => {
    const c = cfg(
      '    max_batch_size: 8\n    max_num_tokens: 4096\n    tensor_parallel_count: 2\n    pipeline_parallel_count: 4\n    gather_all_token_logits: true\n    max_prompt_embedding_table_size: 7\n',
      'H100:8',
    );
    const r = derive(c, { builderGpus: 8 });
    expect(r.errors).toEqual([]);
    expect(r.settings).toEqual({
      ...BASE,
      tp: 2,
      pp: 4,
      maxBatchSize: 8,
      maxNumTokens: 4096,
      gatherAllTokenLogits: true,
      maxPromptEmbeddingTableSize: 7,
      workers: 8,
    });
  });

  it.each([
    [8, 2, 2, 4],
    [2, 2, 2, 2],
    [0, 1, 1, 1],
    [3, 4, 1, 3],
  ])('%i builder GPUs, TP %i x PP %i: %i workers', (builderGpus, tp, pp, workers) => {
    const c = edit(cfg(), { tensor_parallel_count: tp, pipeline_parallel_count: pp });
    expect(derive(c, { builderGpus }).settings.workers).toBe(workers);
  });

  it('the family from the checkpoint architecture when known, over the repo name', () => {
    const r = derive(cfg(), { architecture: 'Qwen2ForCausalLM' });
    expect(r.settings.family).toBe('qwen');
    expect(r.assumptions).toEqual(['model family qwen: checkpoint architecture Qwen2ForCausalLM', NO_SEQ_LEN]);
  });

  it('quantized: the format with its calibration; FP8 context FMHA only where trtllm-build keeps it', () => {
    const fp8 = cfg(
      '    quantization_type: fp8\n    quantization_config: {calib_size: 64, calib_max_seq_length: 512, calib_dataset: org/mine}\n',
    );
    const r = derive(fp8);
    expect(r).toEqual({
      settings: {
        ...BASE,
        quant: { ...FP8, calibSize: 64, calibMaxSeqLength: 512, calibDatasetDir: '/workspace/calibration/dataset' },
        fp8ContextFmha: false,
      },
      errors: [],
      assumptions: [LLAMA_FAMILY, NO_SEQ_LEN],
    });
    // With paged context FMHA, only together with an FP8 KV cache.
    const fp8kv = cfg('    quantization_type: fp8_kv\n');
    expect(derive(fp8kv).settings).toMatchObject({ quant: { ...FP8, kvCacheDtype: 'fp8' }, fp8ContextFmha: true });
    // Without paged context FMHA, any FP8 weights.
    const unpaged = edit(fp8, {
      plugin_configuration: { ...fp8.build.plugin_configuration, use_paged_context_fmha: false },
    });
    expect(derive(unpaged).settings).toMatchObject({ pagedContextFmha: false, fp8ContextFmha: true });
    // SM 89 is the floor.
    expect(derive(fp8kv, { gpu: 'L4' }).settings.fp8ContextFmha).toBe(true);
    expect(derive(fp8kv, { gpu: 'A100' }).settings.fp8ContextFmha).toBe(false);
    expect(derive(edit(unpaged, { quantization_type: 'no_quant' })).settings.fp8ContextFmha).toBe(false);
  });

  it('paged context FMHA needs the paged KV cache', () => {
    const c = cfg();
    const off = edit(c, { plugin_configuration: { ...c.build.plugin_configuration, paged_kv_cache: false } });
    expect(derive(off).settings).toMatchObject({ pagedKvCache: false, pagedContextFmha: false });
  });

  it('fp4_mlp_only: no quantize.py format in the lane', () => {
    const r = derive(cfg('    quantization_type: fp4_mlp_only\n', 'B200'), { gpu: 'B200' });
    expect(r.settings.quant).toBeNull();
    expect(r.errors).toEqual([
      {
        code: 'QUANTIZATION_NOT_IN_LANE',
        severity: 'error',
        path: 'trt_llm.build.quantization_type',
        message:
          'fp4_mlp_only (NVFP4 on the MLP layers only) cannot be produced by the pinned lane: quantize.py of TensorRT-LLM 1.2 has no MLP-only format (its --qformat choices are nvfp4, fp8, fp8_pc_pt, int8_sq, int4_awq, w4a8_awq, int8_wo, int4_wo, full_prec); use fp4 or fp4_kv',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('sequence parallelism above 1', () => {
    const c = edit(cfg(), { sequence_parallel_count: 2 });
    expect(derive(c).errors).toEqual([
      {
        code: 'SEQUENCE_PARALLEL_NOT_IN_LANE',
        severity: 'error',
        path: 'trt_llm.build.sequence_parallel_count',
        message:
          'sequence_parallel_count 2 cannot be produced by the pinned lane: its converters take --tp_size/--pp_size only; use tensor_parallel_count',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('strongly_typed only with quantization', () => {
    const c = edit(cfg(), { strongly_typed: true });
    expect(derive(c).errors).toEqual([
      {
        code: 'STRONGLY_TYPED_NOT_IN_LANE',
        severity: 'error',
        path: 'trt_llm.build.strongly_typed',
        message:
          'trtllm-build 1.2 has no strongly-typed switch: it builds strongly typed networks only for FP8/NVFP4 checkpoints; remove strongly_typed or quantize',
        line: 1,
        column: 1,
      },
    ]);
    expect(derive(edit(c, { quantization_type: 'fp8' })).errors).toEqual([]);
  });

  describe('expert parallelism', () => {
    const moe = (option: number, tp: number, extra: Partial<Build> = {}) =>
      edit(cfg(), { moe_expert_parallel_option: option, tensor_parallel_count: tp, ...extra });
    const NOT_IN_LANE = {
      code: 'MOE_EXPERT_PARALLEL_NOT_IN_LANE',
      severity: 'error',
      path: 'trt_llm.build.moe_expert_parallel_option',
      message:
        'quantize.py of the pinned lane has no expert-parallel flags; leave moe_expert_parallel_option at -1 (automatic) or build without quantization',
      line: 1,
      column: 1,
    };
    it('a divisor of TP on a convert_checkpoint.py family', () => {
      expect(derive(moe(2, 4))).toMatchObject({ settings: { moeEp: 2, tp: 4 }, errors: [] });
      expect(derive(moe(4, 4)).settings.moeEp).toBe(4);
      expect(derive(moe(1, 4)).settings.moeEp).toBe(1);
    });
    it('not with quantize.py (quantized, or a family without a converter)', () => {
      expect(derive(moe(2, 4, { quantization_type: 'fp8' }))).toMatchObject({
        settings: { moeEp: null },
        errors: [NOT_IN_LANE],
      });
      expect(derive(moe(2, 4), { repo: 'org/model' })).toMatchObject({
        settings: { moeEp: null, family: 'generic' },
        errors: [NOT_IN_LANE],
      });
    });
    it('not when it does not divide TP', () =>
      expect(derive(moe(3, 4))).toMatchObject({
        settings: { moeEp: null },
        errors: [
          {
            code: 'MOE_EXPERT_PARALLEL_NOT_DIVISIBLE',
            severity: 'error',
            path: 'trt_llm.build.moe_expert_parallel_option',
            message:
              'convert_checkpoint.py needs moe_tp_size x moe_ep_size == tp_size: tensor_parallel_count 4 is not divisible by 3',
            line: 1,
            column: 1,
          },
        ],
      }));
  });

  describe('LoRA', () => {
    const adapters = {
      b: { source: 'HF', repo: 'org/b' },
      a: { source: 'HF', repo: 'org/a' },
    } as unknown as Build['lora_adapters'];
    it('adapters in name order, HF module names mapped, each module once, the default rank', () => {
      const c = edit(cfg(), {
        lora_adapters: adapters,
        lora_configuration: {
          lora_target_modules: ['q_proj', 'attn_k', 'q_proj', 'attn_q', 'up_proj'],
        } as Build['lora_configuration'],
      });
      expect(derive(c)).toMatchObject({
        settings: {
          lora: { adapterNames: ['a', 'b'], maxLoraRank: 64, targetModules: ['attn_q', 'attn_k', 'mlp_gate'] },
        },
        errors: [],
      });
    });
    it('the configured rank; no modules without a configuration', () => {
      expect(
        derive(
          edit(cfg(), {
            lora_adapters: adapters,
            lora_configuration: { max_lora_rank: 8 } as Build['lora_configuration'],
          }),
        ).settings.lora,
      ).toEqual({
        adapterNames: ['a', 'b'],
        maxLoraRank: 8,
        targetModules: [],
      });
      expect(derive(edit(cfg(), { lora_adapters: adapters, lora_configuration: null })).settings.lora).toEqual({
        adapterNames: ['a', 'b'],
        maxLoraRank: 64,
        targetModules: [],
      });
    });
    it('no LoRA without adapters', () => {
      expect(derive(edit(cfg(), { lora_adapters: {} })).settings.lora).toBeNull();
      expect(derive(edit(cfg(), { lora_adapters: null })).settings.lora).toBeNull();
    });
    it('an unknown module names its index and the choices', () => {
      const c = edit(cfg(), {
        lora_adapters: adapters,
        lora_configuration: { lora_target_modules: ['q_proj', 'attention'] } as Build['lora_configuration'],
      });
      const r = derive(c);
      expect(r.settings.lora?.targetModules).toEqual(['attn_q']);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({
        code: 'LORA_TARGET_MODULE_UNKNOWN',
        severity: 'error',
        path: 'trt_llm.build.lora_configuration.lora_target_modules.1',
      });
      expect(r.errors[0]?.message).toMatch(
        /^"attention" is not a LoRA module of TensorRT-LLM 1\.2; use one of attn_qkv, attn_q, /,
      );
      expect(r.errors[0]?.message).toMatch(
        /, mlp_gate_up[^,]* \(or the HF names q_proj, k_proj, v_proj, qkv_proj, o_proj, gate_proj, down_proj, up_proj, gate_up_proj\)$/,
      );
    });
    it('not for encoders', () => {
      const c = edit(cfg(), { base_model: 'encoder', lora_adapters: adapters });
      const r = derive(c);
      expect(r.settings.lora).toBeNull();
      expect(r.errors).toEqual([
        {
          code: 'LORA_NOT_FOR_ENCODER',
          severity: 'error',
          path: 'trt_llm.build.lora_adapters',
          message: 'LoRA adapters are served by decoders only; remove lora_adapters for base_model encoder',
          line: 1,
          column: 1,
        },
      ]);
    });
    it('maps the HF module names of lora_helper.py', () =>
      expect(HF_TO_TRT_LORA).toEqual({
        q_proj: 'attn_q',
        k_proj: 'attn_k',
        v_proj: 'attn_v',
        qkv_proj: 'attn_qkv',
        o_proj: 'attn_dense',
        gate_proj: 'mlp_h_to_4h',
        down_proj: 'mlp_4h_to_h',
        up_proj: 'mlp_gate',
        gate_up_proj: 'mlp_gate_up',
      }));
  });

  describe('lookahead', () => {
    const spec = (s: Partial<NonNullable<Build['speculator']>>, build: Partial<Build> = {}) => {
      const c = cfg(
        '    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: 4\n      lookahead_ngram_size: 3\n      lookahead_verification_set_size: 3\n',
      );
      return edit(c, { speculator: { ...c.build.speculator, ...s } as Build['speculator'], ...build });
    };
    it('takes (W, N, V) and the draft length as written', () =>
      expect(derive(spec({ num_draft_tokens: 13 }, { max_batch_size: 4 })).settings.lookahead).toEqual({
        windowSize: 4,
        ngramSize: 3,
        verificationSetSize: 3,
        maxDraftLen: 13,
      }));
    it('draft length 0 when unset', () =>
      expect(derive(spec({ num_draft_tokens: null })).settings.lookahead?.maxDraftLen).toBe(0));
    it.each([['lookahead_windows_size'], ['lookahead_ngram_size'], ['lookahead_verification_set_size']])(
      'none without %s',
      (key) => expect(derive(spec({ [key]: null })).settings.lookahead).toBeNull(),
    );
    it('notes headroom above what (W, N, V) needs, not at it', () => {
      // (W, N, V) = (4, 3, 3): (3 - 2) + (4 - 1 + 3) * 2 = 13.
      expect(derive(spec({ num_draft_tokens: 13 }, { max_batch_size: 4 })).assumptions).toEqual([
        LLAMA_FAMILY,
        NO_SEQ_LEN,
      ]);
      expect(derive(spec({ num_draft_tokens: 14 }, { max_batch_size: 4 })).assumptions).toEqual([
        LLAMA_FAMILY,
        'engine max_draft_len 14 (speculator.num_draft_tokens) leaves headroom over the 13 that (W, N, V) = (4, 3, 3) needs at runtime',
        NO_SEQ_LEN,
      ]);
    });
    it('raises max_num_tokens to max_batch_size x (max_draft_len + 1), not when already there', () => {
      const raised = derive(spec({ num_draft_tokens: 13 }, { max_batch_size: 1000, max_num_tokens: 13_999 }));
      expect(raised.settings.maxNumTokens).toBe(14_000);
      expect(raised.assumptions).toEqual([
        LLAMA_FAMILY,
        'build.max_num_tokens 13999 raised to 14000 = max_batch_size x (max_draft_len + 1), as trtllm-build requires for speculative decoding',
        NO_SEQ_LEN,
      ]);
      const kept = derive(spec({ num_draft_tokens: 13 }, { max_batch_size: 1000, max_num_tokens: 14_000 }));
      expect(kept.settings.maxNumTokens).toBe(14_000);
      expect(kept.assumptions).toEqual([LLAMA_FAMILY, NO_SEQ_LEN]);
    });
    it('not with all-token logits', () =>
      expect(derive(spec({}, { gather_all_token_logits: true })).errors).toEqual([
        {
          code: 'LOGITS_WITH_SPECULATION',
          severity: 'error',
          path: 'trt_llm.build.gather_all_token_logits',
          message:
            'trtllm-build rejects --gather_all_token_logits together with --max_draft_len > 0 (lookahead); disable one of them',
          line: 1,
          column: 1,
        },
      ]));
  });

  it('clips max_num_tokens to max_seq_len x max_batch_size, as trtllm-build does, not at it', () => {
    const clipped = derive(edit(cfg(), { max_seq_len: 100, max_batch_size: 4, max_num_tokens: 401 }));
    expect(clipped.settings).toMatchObject({ maxSeqLen: 100, maxNumTokens: 400 });
    expect(clipped.assumptions).toEqual([
      LLAMA_FAMILY,
      'build.max_num_tokens 401 clipped to max_seq_len x max_batch_size = 400, as trtllm-build does',
    ]);
    const kept = derive(edit(cfg(), { max_seq_len: 100, max_batch_size: 4, max_num_tokens: 400 }));
    expect(kept.settings).toMatchObject({ maxSeqLen: 100, maxNumTokens: 400 });
    expect(kept.assumptions).toEqual([LLAMA_FAMILY]);
  });

  describe('encoder', () => {
    const enc = (build: Partial<Build> = {}) => edit(cfg(), { base_model: 'encoder', ...build });
    it('no paged KV cache or context FMHA; max_num_tokens raised to 16384; no max_seq_len note', () =>
      expect(derive(enc({ max_num_tokens: 16_383 }))).toEqual({
        settings: { ...BASE, pagedKvCache: false, pagedContextFmha: false, maxNumTokens: 16_384 },
        errors: [],
        assumptions: [LLAMA_FAMILY, 'build.max_num_tokens 16383 raised to 16384, the minimum for encoder models'],
      }));
    it('keeps max_num_tokens at or above 16384', () =>
      expect(derive(enc({ max_num_tokens: 16_384 }))).toMatchObject({
        settings: { maxNumTokens: 16_384 },
        assumptions: [LLAMA_FAMILY],
      }));
    it('drops max_seq_len: config.json max_position_embeddings decides', () =>
      expect(derive(enc({ max_seq_len: 4096, max_num_tokens: 16_384 }))).toMatchObject({
        settings: { maxSeqLen: null, maxNumTokens: 16_384 },
        assumptions: [
          LLAMA_FAMILY,
          'build.max_seq_len 4096 is not used for encoder models: taken from config.json max_position_embeddings',
        ],
      }));
  });
});

describe('deriveQuant', () => {
  it('no quantization', () => expect(deriveQuant(cfg().build)).toEqual({ quant: null, errors: [] }));
  it('fp4 with the default calibration', () =>
    expect(deriveQuant(cfg('    quantization_type: fp4\n', 'B200').build)).toEqual({
      quant: { ...FP8, qformat: 'nvfp4' },
      errors: [],
    }));
});
