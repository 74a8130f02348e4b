/** The server doubles are as strict as the servers: each loading rule refuses a bundle that breaks it. */
import { describe, expect, it } from 'vitest';
import type { BundleView } from '../../fixtures/servers/bundle-view.js';
import { encoderServerProblems } from '../../fixtures/servers/fake-encoder-server.js';
import { trtllmServeProblems } from '../../fixtures/servers/fake-trtllm-serve.js';
import { tritonProblems } from '../../fixtures/servers/fake-tritonserver.js';
import { V1, plan } from '../../unit/plan/fixtures.js';

function view(files: Record<string, string>): BundleView {
  return { files: Object.keys(files).sort(), read: (p) => files[p] ?? null };
}

const ENGINE = (world: number, lora = false): Record<string, string> => ({
  'artifact/config.json': JSON.stringify({
    pretrained_config: { mapping: { world_size: world } },
    build_config: { plugin_config: { lora_plugin: lora ? 'auto' : null } },
  }),
  ...Object.fromEntries(Array.from({ length: world }, (_, r) => [`artifact/rank${r}.engine`, 'E'])),
});
const TOKENIZER = { 'tokenizer/tokenizer.json': '{}' };
const SERVE = [
  'trtllm-serve',
  '/models/artifact',
  '--backend',
  'tensorrt',
  '--tokenizer',
  '/models/tokenizer',
  '--tp_size',
  '2',
  '--extra_llm_api_options',
  '/models/launch/x.yaml',
];

describe('fake trtllm-serve', () => {
  it('serves a complete engine bundle', () => {
    expect(
      trtllmServeProblems(SERVE, view({ ...ENGINE(2), ...TOKENIZER, 'launch/x.yaml': 'max_batch_size: 8\n' })),
    ).toEqual([]);
  });

  it('refuses a missing rank, a TP that differs from the engine, a missing YAML, a missing LoRA adapter', () => {
    const files = {
      ...ENGINE(2),
      ...TOKENIZER,
      'launch/x.yaml': 'lora_config:\n  lora_dir: [/models/artifact/lora/0]\n',
    };
    delete (files as Record<string, string>)['artifact/rank1.engine'];
    expect(trtllmServeProblems(SERVE, view(files))).toEqual([
      'trtllm-serve: artifact/rank1.engine missing (world size 2)',
      'trtllm-serve: LoRA dir /models/artifact/lora/0 has no adapter_config.json',
    ]);
    expect(trtllmServeProblems(SERVE, view({ ...ENGINE(1), ...TOKENIZER, 'launch/x.yaml': '{}' }))).toEqual([
      'trtllm-serve: --tp_size × --pp_size = 2 but the engine has 1 ranks',
    ]);
    expect(trtllmServeProblems(SERVE, view({ ...ENGINE(2), ...TOKENIZER }))).toEqual([
      'trtllm-serve: --extra_llm_api_options /models/launch/x.yaml does not exist',
    ]);
  });

  it('pytorch backend: an HF dir with weights and tokenizer; a quantized one needs hf_quant_config.json', () => {
    const argv = ['trtllm-serve', '/models/artifact', '--backend', 'pytorch'];
    const hf = {
      'artifact/config.json': '{"architectures":["X"]}',
      'artifact/model.safetensors': 'W',
      'artifact/tokenizer.json': '{}',
    };
    expect(trtllmServeProblems(argv, view(hf))).toEqual([]);
    expect(
      trtllmServeProblems(
        argv,
        view({ ...hf, 'artifact/config.json': '{"architectures":["X"],"quantization_config":{}}' }),
      ),
    ).toEqual([
      'trtllm-serve: artifact/config.json has quantization_config but no hf_quant_config.json (not a ModelOpt unified checkpoint)',
      'trtllm-serve: artifact/hf_quant_config.json has no quantization section',
    ]);
    expect(trtllmServeProblems(argv, view({ 'artifact/config.json': '{"architectures":["X"]}' }))).toEqual([
      'trtllm-serve: artifact has no *.safetensors weights',
      'trtllm-serve: AutoTokenizer.from_pretrained(/models/artifact): no tokenizer.json, tokenizer.model, vocab.json or vocab.txt',
    ]);
  });
});

describe('fake tritonserver', () => {
  it('refuses an MPI rank count that differs from the engine, a rank without its shm prefix, a model without config', () => {
    const argv = [
      'mpirun',
      '--allow-run-as-root',
      '-n',
      '1',
      'tritonserver',
      '--model-repository=/models/launch/triton',
      '--backend-config=python,shm-region-prefix-name=prefix0_',
    ];
    const problems = tritonProblems(argv, view({ ...ENGINE(2), ...TOKENIZER, 'launch/triton/other/1/x': 'x' }));
    expect(problems).toEqual(['tritonserver: model other: no config.pbtxt']);
    const triton = plan(V1).launch['triton'];
    const repo = Object.fromEntries((triton?.files ?? []).map((f) => [`launch/${f.path}`, f.content]));
    expect(tritonProblems(triton?.argv ?? [], view({ ...ENGINE(1), ...TOKENIZER, ...repo }))).toEqual([]);
    expect(tritonProblems(triton?.argv ?? [], view({ ...ENGINE(2), ...TOKENIZER, ...repo }))).toEqual([
      'tritonserver: the engine has 2 ranks but mpirun starts 1 tritonserver processes',
    ]);
    const two = [...argv, ':', '-n', '1', 'tritonserver', '--model-repository=/models/launch/triton'];
    expect(
      tritonProblems(two, view({ 'launch/triton/m/config.pbtxt': 'backend: "python"', 'launch/triton/m/1/x': 'x' })),
    ).toEqual(['tritonserver: rank 1 needs its own shm-region-prefix-name (prefix1_)']);
  });
});

describe('fake encoder server', () => {
  it('refuses text-embeddings-router and a bundle without an engine', () => {
    expect(
      encoderServerProblems(['text-embeddings-router', '--model-id', '/models/tokenizer'], view(TOKENIZER)).join('\n'),
    ).toMatch(/cannot load a TensorRT engine/);
    const argv = [
      'python3',
      '/opt/trt-orchestrator/steps/encoder_server.py',
      '--engine_dir',
      '/models/artifact',
      '--tokenizer_dir',
      '/models/tokenizer',
      '--route',
      '/v1/embeddings',
      '--max_batch_size',
      '8',
    ];
    expect(encoderServerProblems(argv, view({ ...ENGINE(1), ...TOKENIZER }))).toEqual([]);
    expect(encoderServerProblems(argv, view(TOKENIZER))).toEqual([
      'encoder_server.py: artifact/config.json missing or not JSON (not an engine dir)',
    ]);
  });
});
