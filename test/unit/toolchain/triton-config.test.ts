/** The Triton config and launch: every parameter the backend reads without a fallback, the template's inputs, foreground mpirun per rank. */
import { describe, expect, it } from 'vitest';
import { TRITON_INPUTS, TRITON_LORA_INPUTS } from '../../../orchestrator/toolchain/triton-config.js';
import { TRITON_VERSION_FILE, tritonServerArgv } from '../../../orchestrator/toolchain/launch-decoder.js';
import { pbtxtInputs, pbtxtParameters, TRITON_REQUIRED_PARAMETERS } from '../../fixtures/servers/fake-tritonserver.js';
import { V1, plan } from '../plan/fixtures.js';

const LORA = V1.replace(
  '    num_builder_gpus: 1\n',
  '    num_builder_gpus: 1\n    lora_adapters:\n      a: {source: HF, repo: org/a}\n    lora_configuration:\n      max_lora_rank: 8\n',
);

describe('Triton config.pbtxt', () => {
  const text = plan(V1).launch['triton']?.files[0]?.content ?? '';

  it('has every parameter the tensorrtllm backend reads with no fallback', () => {
    const params = pbtxtParameters(text);
    for (const key of TRITON_REQUIRED_PARAMETERS) expect(params.has(key), key).toBe(true);
    expect(params.get('tokenizer_dir')).toBe('/models/tokenizer');
    expect(params.get('xgrammar_tokenizer_info_path')).toBe('');
    expect(params.get('guided_decoding_backend')).toBe('');
  });

  it('declares the template inputs: ragged input_ids, reshaped scalars, sampling inputs; lora_* only for LoRA engines', () => {
    const inputs = pbtxtInputs(text);
    expect([...inputs.keys()]).toEqual(TRITON_INPUTS.map((t) => t.name));
    expect(inputs.get('input_ids')).toContain('allow_ragged_batch: true');
    for (const name of [
      'input_lengths',
      'request_output_len',
      'end_id',
      'pad_id',
      'streaming',
      'temperature',
      'runtime_top_p',
    ])
      expect(inputs.get(name), name).toContain('reshape: { shape: [ ] }');
    for (const name of ['runtime_top_k', 'runtime_top_p', 'temperature', 'repetition_penalty', 'beam_width'])
      expect(inputs.has(name), name).toBe(true);
    expect(inputs.has('lora_task_id')).toBe(false);
    const lora = pbtxtInputs(plan(LORA).launch['triton']?.files[0]?.content ?? '');
    for (const t of TRITON_LORA_INPUTS) expect(lora.has(t.name), t.name).toBe(true);
  });

  it('ships a file in the numeric version directory', () => {
    const files = plan(V1).launch['triton']?.files.map((f) => f.path);
    expect(files).toContain(TRITON_VERSION_FILE);
    expect(TRITON_VERSION_FILE).toMatch(/^triton\/tensorrt_llm\/1\/[^/]+$/);
  });
});

describe('Triton launch', () => {
  it('runs tritonserver in the foreground under mpirun, one -n 1 segment per rank with its own shm prefix', () => {
    expect(tritonServerArgv(1)).toEqual([
      'mpirun',
      '--allow-run-as-root',
      '-n',
      '1',
      'tritonserver',
      '--model-repository=/models/launch/triton',
      '--grpc-port=8001',
      '--http-port=8000',
      '--metrics-port=8002',
      '--disable-auto-complete-config',
      '--backend-config=python,shm-region-prefix-name=prefix0_',
    ]);
    const two = tritonServerArgv(2);
    expect(two.filter((a) => a === 'tritonserver')).toHaveLength(2);
    expect(two.filter((a) => a === ':')).toHaveLength(1);
    expect(two).toContain('--backend-config=python,shm-region-prefix-name=prefix1_');
    expect(two.slice(two.indexOf(':'))).toEqual(
      expect.arrayContaining(['--model-control-mode=explicit', '--load-model=tensorrt_llm']),
    );
    expect(two.join(' ')).not.toMatch(/launch_triton_server\.py/);
  });
});
