/**
 * The fake hub for pre-flight tests: every vendored real config.json under its own repo id, the
 * recipes' repos (stand-ins where no official file is vendored, named below), LoRA adapters, and a
 * gated and a private repo. Sources are the production registry pointed at it (loopback allowed).
 */
import { realConfigRepos, startFakeHub, type FakeHub, type FakeHubRepo } from '../../fixtures/servers/fake-hub.js';
import { sourcesFromEnv } from '../../../orchestrator/storage/sources/sources-from-env.js';
import type { SourceRegistry } from '../../../orchestrator/storage/sources/port.js';

/** Recipe repo ids served with a real config of the same shapes (not the official file). */
export const STAND_INS: Readonly<Record<string, string>> = {
  'Qwen/Qwen3-235B-A22B-Instruct-2507': 'Qwen/Qwen3-235B-A22B',
  'Qwen/Qwen3-Embedding-8B': 'Qwen/Qwen3-8B',
  'acme/gated-llama': 'meta-llama/Llama-3.1-8B-Instruct',
  'acme/private-llama': 'meta-llama/Llama-3.1-8B-Instruct',
};

/** bge-reranker-large: no official file is vendored; values documented in PROVENANCE.md "Gaps". */
const BGE_RERANKER = {
  architectures: ['XLMRobertaForSequenceClassification'],
  model_type: 'xlm-roberta',
  hidden_size: 1024,
  num_hidden_layers: 24,
  num_attention_heads: 16,
  intermediate_size: 4096,
  vocab_size: 250002,
  max_position_embeddings: 514,
  type_vocab_size: 1,
};

const adapter = (id: string, r: number, modules: string[], base: string): FakeHubRepo => ({
  id,
  files: [
    {
      path: 'adapter_config.json',
      data: Buffer.from(
        JSON.stringify({
          peft_type: 'LORA',
          r,
          lora_alpha: 2 * r,
          target_modules: modules,
          base_model_name_or_path: base,
        }),
      ),
    },
    { path: 'adapter_model.safetensors', size: 54_000_000, lfs: true, advertisedSha256: '1'.repeat(64) },
  ],
});

export const PRIVATE_TOKEN = 'hf_private_token_for_preflight_tests';

/** Starts the hub. */
export async function startPreflightHub(): Promise<FakeHub> {
  const repos = realConfigRepos({
    aliases: STAND_INS,
    weightBytes: {
      'meta-llama/Llama-3.1-8B-Instruct': 16_060_522_496,
      'meta-llama/Llama-3.3-70B-Instruct': 141_107_412_992,
    },
    gated: ['acme/gated-llama'],
  }).map((r) => (r.id === 'acme/private-llama' ? { ...r, privateToken: PRIVATE_TOKEN } : r));
  repos.push(
    {
      id: 'BAAI/bge-reranker-large',
      files: [{ path: 'config.json', data: Buffer.from(JSON.stringify(BGE_RERANKER, null, 2)) }],
    },
    adapter(
      'example-org/llama-3.1-8b-instruct-sql-lora',
      16,
      ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
      'meta-llama/Llama-3.1-8B-Instruct',
    ),
    adapter(
      'example-org/llama-3.1-8b-instruct-support-lora',
      8,
      ['q_proj', 'v_proj'],
      'meta-llama/Llama-3.1-8B-Instruct',
    ),
    adapter('example-org/rank64-lora', 64, ['q_proj', 'v_proj'], 'meta-llama/Llama-3.1-8B-Instruct'),
    { id: 'example-org/no-config', files: [{ path: 'README.md', data: Buffer.from('no config here') }] },
  );
  return startFakeHub(repos);
}

/** The production source registry pointed at the hub (the outbound policy allows loopback only here). */
export function hubSources(hub: FakeHub, token?: string): SourceRegistry {
  return sourcesFromEnv({
    HF_ENDPOINT: hub.url,
    OUTBOUND_ALLOW: '127.0.0.1',
    ...(token !== undefined ? { HF_TOKEN: token } : {}),
  });
}
