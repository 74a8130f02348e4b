/** Test helpers: the real config.json files (test/fixtures/preflight/hf-configs) and settings from YAML. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { parseModelConfigText, type ModelFacts } from '../../../orchestrator/preflight/model-facts.js';
import { preflightSettings, type PreflightSettings } from '../../../orchestrator/preflight/settings.js';

export const HF_CONFIG_DIR = fileURLToPath(new URL('../../fixtures/preflight/hf-configs/', import.meta.url));

/** Names (`org__name`) of all vendored config files. */
export function configNames(): string[] {
  return readdirSync(HF_CONFIG_DIR)
    .filter((f) => f.endsWith('.config.json'))
    .map((f) => f.replace(/\.config\.json$/, ''))
    .sort();
}

/** The text of a vendored config.json, e.g. `meta-llama__Llama-3.1-8B-Instruct`. */
export function configText(name: string): string {
  return readFileSync(`${HF_CONFIG_DIR}${name}.config.json`, 'utf8');
}

/** Parsed facts of a vendored config (throws in the test when unparseable). */
export function facts(name: string): ModelFacts {
  const r = parseModelConfigText(configText(name));
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  return r.facts;
}

export interface YamlOpts {
  readonly repo?: string;
  readonly accelerator?: string;
  readonly tp?: number;
  readonly pp?: number;
  readonly quant?: string;
  readonly maxSeqLen?: number;
  readonly maxBatchSize?: number;
  readonly baseModel?: string;
  readonly builderGpus?: number;
  readonly ep?: number;
  readonly lora?: { readonly rank: number; readonly modules: readonly string[] };
  readonly v2?: boolean;
}

/** A minimal valid Truss config. */
export function yamlFor(o: YamlOpts = {}): string {
  const tp = o.tp ?? 1;
  const lines = [
    'model_metadata:',
    '  tags: [openai-compatible]',
    'resources:',
    `  accelerator: ${o.accelerator ?? `H100${tp * (o.pp ?? 1) > 1 ? `:${tp * (o.pp ?? 1)}` : ''}`}`,
    'secrets:',
    '  hf_access_token: null',
    'trt_llm:',
  ];
  if (o.v2 === true) lines.push('  inference_stack: v2');
  lines.push('  build:');
  if (o.baseModel !== undefined) lines.push(`    base_model: ${o.baseModel}`);
  lines.push(`    checkpoint_repository: {source: HF, repo: ${o.repo ?? 'meta-llama/Llama-3.1-8B-Instruct'}}`);
  if (o.quant !== undefined) lines.push(`    quantization_type: ${o.quant}`);
  if (o.builderGpus !== undefined) lines.push(`    num_builder_gpus: ${o.builderGpus}`);
  if (o.v2 !== true) {
    lines.push(`    tensor_parallel_count: ${tp}`);
    if (o.pp !== undefined) lines.push(`    pipeline_parallel_count: ${o.pp}`);
    if (o.maxSeqLen !== undefined) lines.push(`    max_seq_len: ${o.maxSeqLen}`);
    if (o.maxBatchSize !== undefined) lines.push(`    max_batch_size: ${o.maxBatchSize}`);
    if (o.ep !== undefined) lines.push(`    moe_expert_parallel_option: ${o.ep}`);
  }
  if (o.lora !== undefined) {
    lines.push(
      '    lora_adapters:',
      '      sql: {source: HF, repo: example-org/sql-lora}',
      '    lora_configuration:',
      `      max_lora_rank: ${o.lora.rank}`,
      `      lora_target_modules: [${o.lora.modules.join(', ')}]`,
    );
  }
  if (o.v2 === true) {
    lines.push('  runtime:', `    tensor_parallel_size: ${tp}`);
    if (o.maxSeqLen !== undefined) lines.push(`    max_seq_len: ${o.maxSeqLen}`);
    if (o.maxBatchSize !== undefined) lines.push(`    max_batch_size: ${o.maxBatchSize}`);
    if (o.ep !== undefined) lines.push('    patch_kwargs:', `      moe_expert_parallel_size: ${o.ep}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Settings of a config that must plan (throws with the diagnostics otherwise). */
export function settingsFor(o: YamlOpts = {}): PreflightSettings {
  const text = yamlFor(o);
  const out = planConfigText(text);
  const v = validateConfigText(text);
  if (!out.valid || out.plan === null || v.config === null)
    throw new Error(`config does not plan: ${JSON.stringify(out.errors)}\n${text}`);
  return preflightSettings(v.config, out.plan);
}
