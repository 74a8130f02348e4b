/**
 * Pre-flight through the REST app (buildApp + inject, real Redis queue, the fake hub serving the
 * real config files): each failure kind of issue 11 is answered 422 with the fix in the message
 * and nothing is enqueued; a valid plan carries the preflight section and an unchanged plan hash.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../orchestrator/api/api-deps.js';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { PreflightOutcome } from '../../../orchestrator/preflight/types.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { createFactsFetcher } from '../../../orchestrator/storage/facts/facts-fetcher.js';
import { createPreflightHook } from '../../../orchestrator/storage/facts/preflight-hook.js';
import type { FakeHub } from '../../fixtures/servers/fake-hub.js';
import { REDIS_URL, cleanupPrefix, memoryPublisher, uniquePrefix } from '../queue/fixtures.js';
import { yamlFor } from '../../unit/preflight/helpers.js';
import { hubSources, startPreflightHub } from './hub-fixture.js';

const TOKEN = 'tok-preflight-test-1d2e3f';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' };
const prefix = uniquePrefix('preflight');
let hub: FakeHub;
let redis: Redis;
let queue: BuildQueue;
let app: FastifyInstance;

beforeAll(async () => {
  hub = await startPreflightHub();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new BuildQueue(redis, prefix, () => Date.now());
  const fetcher = createFactsFetcher({ sources: hubSources(hub), secrets: {} });
  const deps: ApiDeps = {
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: memoryPublisher(),
    tokens: [TOKEN],
    bodyLimit: 64 * 1024,
    preflight: createPreflightHook(fetcher),
  };
  app = buildApp(deps);
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  await hub.close();
});

const LORA64 = `model_metadata:
  tags: [openai-compatible]
resources:
  accelerator: A100
secrets:
  hf_access_token: null
trt_llm:
  build:
    checkpoint_repository: {source: HF, repo: meta-llama/Llama-3.1-8B-Instruct}
    max_seq_len: 8192
    max_batch_size: 16
    lora_adapters:
      big: {source: HF, repo: example-org/rank64-lora}
    lora_configuration:
      max_lora_rank: 16
      lora_target_modules: [attn_q, attn_v]
`;

const FAILURES: readonly [string, string, string, RegExp][] = [
  [
    'a 70B model in FP16 on one 80 GB GPU',
    yamlFor({ repo: 'meta-llama/Llama-3.1-70B-Instruct', maxSeqLen: 8192 }),
    'PREFLIGHT_WEIGHTS_DO_NOT_FIT',
    /use 2 GPUs .* or quantization_type: fp8/,
  ],
  [
    '64 attention heads split over 3 GPUs',
    yamlFor({ repo: 'meta-llama/Llama-3.3-70B-Instruct', tp: 3, maxSeqLen: 8192 }),
    'PREFLIGHT_HEADS_NOT_DIVISIBLE',
    /use a tensor parallel size of 1, 2, 4, 8, 16/,
  ],
  [
    'max_seq_len past what the model supports',
    yamlFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', maxSeqLen: 131072 }),
    'PREFLIGHT_MAX_SEQ_LEN_TOO_LONG',
    /set max_seq_len to 32768 or less/,
  ],
  [
    'an architecture the pinned 1.2 line has no converter for',
    yamlFor({ repo: 'deepseek-ai/DeepSeek-V3', accelerator: 'H200:8', tp: 8, maxSeqLen: 8192 }),
    'PREFLIGHT_ARCH_UNSUPPORTED',
    /set inference_stack: v2/,
  ],
  [
    'a format the quantizer does not support for the family',
    yamlFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', accelerator: 'B200', quant: 'fp4', maxSeqLen: 8192 }),
    'PREFLIGHT_FORMAT_UNSUPPORTED',
    /use quantization_type: fp8/,
  ],
  [
    'a LoRA adapter with rank 64 on an engine built for 16',
    LORA64,
    'PREFLIGHT_LORA_RANK_TOO_LARGE',
    /set max_lora_rank to 64 or more/,
  ],
  [
    'a gated repo without a token',
    yamlFor({ repo: 'acme/gated-llama', maxSeqLen: 8192 }),
    'PREFLIGHT_CHECKPOINT_ACCESS_DENIED',
    /accept the model's license/,
  ],
];

describe('the failure kinds of issue 11 are rejected before anything is enqueued', () => {
  it.each(FAILURES)('%s', async (_, yaml, code, fix) => {
    expect(planConfigText(yaml).valid).toBe(true);
    for (const url of ['/v1/plans', '/v1/builds']) {
      const r = await app.inject({ method: 'POST', url, headers: auth, payload: yaml });
      expect(r.statusCode).toBe(422);
      const body = r.json<PreflightOutcome>();
      expect(body.valid).toBe(false);
      expect(body.plan).toBeNull();
      const d = body.errors.find((e) => e.code === code);
      expect(d?.message).toMatch(fix);
      expect(d?.line).toBeGreaterThan(1);
    }
    expect((await queue.store.list(null, 0, 10)).total).toBe(0);
  });
});

describe('a valid config', () => {
  it('plans with the preflight section (model facts, memory table, not checked) and the plan hash of the offline plan', async () => {
    const yaml = yamlFor({
      repo: 'meta-llama/Llama-3.3-70B-Instruct',
      tp: 4,
      quant: 'fp8_kv',
      builderGpus: 4,
      maxSeqLen: 32768,
      maxBatchSize: 32,
    });
    const r = await app.inject({ method: 'POST', url: '/v1/plans', headers: auth, payload: yaml });
    expect(r.statusCode).toBe(200);
    const body = r.json<PreflightOutcome>();
    expect(body.plan?.planHash).toBe(planConfigText(yaml).plan?.planHash);
    expect(body.preflight).toMatchObject({
      checked: true,
      model: {
        architecture: 'LlamaForCausalLM',
        parameters: 70_553_706_496,
        checkpointBytes: 141_107_412_992,
        revision: hub.shaOf('meta-llama/Llama-3.3-70B-Instruct'),
      },
      memory: { gpu: 'H100', tp: 4, weightFormat: 'fp8', kvCacheDtype: 'fp8' },
    });
    expect(body.preflight?.memory?.perGpu.kvBytesPerToken).toBe(2 * 80 * 2 * 128);
    expect(body.preflight?.notChecked.length).toBeGreaterThan(0);
    const b = await app.inject({ method: 'POST', url: '/v1/builds', headers: auth, payload: yaml });
    expect(b.statusCode).toBe(202);
    // The submit answer carries the same pre-flight section as the dry run.
    expect(b.json<{ preflight?: unknown }>().preflight).toEqual(body.preflight);
    expect((await queue.store.list(null, 0, 10)).total).toBe(1);
  });
});
