/**
 * The bundle contract of plans: layout, what each launch config refers to and needs, and the
 * check that fails when a path a launch names is not in the bundle (tokenizer dropped, a launch
 * file missing, an engine rank missing, an empty Triton version dir).
 */
import { describe, expect, it } from 'vitest';
import {
  bundleContract,
  checkBundle,
  checkPlanBundle,
  plannedBundleFiles,
} from '../../../orchestrator/bundle/contract.js';
import type { BuildPlan, PublishStep } from '../../../orchestrator/plan/types.js';
import { V1, V2, plan } from './fixtures.js';

const V1_TP2 = V1.replace(
  '    num_builder_gpus: 1\n',
  '    num_builder_gpus: 1\n    tensor_parallel_count: 2\n',
).replace('accelerator: H100', 'accelerator: H100:2');

describe('bundle contract', () => {
  it('a v1 decoder: engine ranks, tokenizer, launch files and the Triton version dir', () => {
    const p = plan(V1_TP2);
    const c = bundleContract(p);
    expect(c).toMatchObject({ artifact: 'engine', tokenizer: true });
    expect(c.launchFiles).toEqual([
      'launch/extra_llm_api_options.yaml',
      'launch/triton/tensorrt_llm/1/README.txt',
      'launch/triton/tensorrt_llm/config.pbtxt',
    ]);
    expect(c.launches['trtllm-serve']?.refs).toEqual(['artifact', 'launch/extra_llm_api_options.yaml', 'tokenizer']);
    expect(c.launches['triton']?.refs).toEqual(expect.arrayContaining(['artifact', 'launch/triton', 'tokenizer']));
    expect(plannedBundleFiles(p)).toEqual(
      expect.arrayContaining([
        'artifact/config.json',
        'artifact/rank0.engine',
        'artifact/rank1.engine',
        'tokenizer/tokenizer.json',
      ]),
    );
    expect(checkPlanBundle(p)).toEqual([]);
  });

  it('names what is missing: tokenizer, an engine rank, the Triton version dir, a launch file', () => {
    const p = plan(V1_TP2);
    const files = plannedBundleFiles(p);
    const without = (...gone: string[]) =>
      checkBundle(
        bundleContract(p),
        files.filter((f) => !gone.includes(f)),
      ).map((x) => `${x.launch}: ${x.message}`);
    expect(without('tokenizer/tokenizer.json')).toEqual([
      'trtllm-serve: refers to /models/tokenizer, which is no file or directory of the bundle',
      'trtllm-serve: needs one of tokenizer/tokenizer.json, tokenizer/tokenizer.model, tokenizer/vocab.json, tokenizer/vocab.txt (a tokenizer AutoTokenizer can load)',
      'triton: refers to /models/tokenizer, which is no file or directory of the bundle',
      'triton: needs one of tokenizer/tokenizer.json, tokenizer/tokenizer.model, tokenizer/vocab.json, tokenizer/vocab.txt (a tokenizer AutoTokenizer can load)',
    ]);
    expect(without('artifact/rank1.engine').join('\n')).toMatch(/needs artifact\/rank1\.engine/);
    expect(without('launch/triton/tensorrt_llm/1/README.txt')).toEqual([
      'triton: needs a file under launch/triton/tensorrt_llm/1/ (Triton needs a numeric version directory (object stores drop empty ones))',
    ]);
    expect(without('launch/extra_llm_api_options.yaml')).toEqual([
      'trtllm-serve: refers to /models/launch/extra_llm_api_options.yaml, which is no file or directory of the bundle',
    ]);
  });

  it('a plan whose publish step drops the tokenizer fails the plan-time check', () => {
    const p = plan(V1);
    const steps = p.steps.map((s) => (s.kind === 'publish' ? ({ ...s, tokenizerDir: null } satisfies PublishStep) : s));
    const dropped: BuildPlan = { ...p, steps };
    expect(checkPlanBundle(dropped).map((x) => x.launch)).toEqual(['trtllm-serve', 'trtllm-serve', 'triton', 'triton']);
  });

  it('a v2 quantized plan needs a unified HF checkpoint with its tokenizer in artifact/', () => {
    const p = plan(
      V2.replace('      repo: Qwen/Qwen3-30B-A3B\n', '      repo: Qwen/Qwen3-30B-A3B\n    quantization_type: fp8\n'),
    );
    const c = bundleContract(p);
    expect(c.artifact).toBe('checkpoint');
    const needs = c.launches['trtllm-serve']?.requires ?? [];
    expect(needs).toContainEqual(expect.objectContaining({ kind: 'file', path: 'artifact/hf_quant_config.json' }));
    expect(needs).toContainEqual(
      expect.objectContaining({ kind: 'file_under', dir: 'artifact', suffix: '.safetensors' }),
    );
    const files = plannedBundleFiles(p);
    expect(
      checkBundle(
        c,
        files.filter((f) => f !== 'artifact/hf_quant_config.json'),
      ).map((x) => x.message),
    ).toEqual([
      'needs artifact/hf_quant_config.json (a ModelOpt unified HF checkpoint (the PyTorch backend reads its quantization from it))',
    ]);
    expect(
      checkBundle(
        c,
        files.filter((f) => !f.endsWith('.safetensors')),
      ).map((x) => x.message),
    ).toEqual(['needs a file *.safetensors under artifact/ (weights (*.safetensors))']);
  });

  it('a v2 skip_build_result plan publishes no model: its artifact refs are not checked', () => {
    const p = plan(
      V2.replace(
        '    checkpoint_repository:\n      source: HF\n      repo: Qwen/Qwen3-30B-A3B\n',
        '    skip_build_result: true\n',
      ),
    );
    expect(bundleContract(p)).toMatchObject({ artifact: 'external', tokenizer: false });
    expect(checkPlanBundle(p)).toEqual([]);
  });

  it('LoRA adapters must be in the engine dir where the YAML names them', () => {
    const lora = V1.replace(
      '    num_builder_gpus: 1\n',
      '    num_builder_gpus: 1\n    lora_adapters:\n      a: {source: HF, repo: org/a}\n    lora_configuration:\n      max_lora_rank: 8\n',
    );
    const p = plan(lora);
    const files = plannedBundleFiles(p);
    expect(files).toContain('artifact/lora/0/adapter_config.json');
    expect(
      checkBundle(
        bundleContract(p),
        files.filter((f) => !f.startsWith('artifact/lora/')),
      )[0]?.message,
    ).toBe('refers to /models/artifact/lora/0, which is no file or directory of the bundle');
  });
});
