/**
 * The parsed CLI surface: the fixture's commands plus the supplemental tools, parsed once, and the
 * LLM API key sets computed from the fixture's lists (checked against the JSON read independently).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BERT_CONVERT_SURFACE,
  ENCODER_SERVER_SURFACE,
  EXPORT_HF_CHECKPOINT_SURFACE,
} from '../../../orchestrator/toolchain/surface-supplement.js';
import type { ToolName } from '../../../orchestrator/toolchain/surface.js';
import {
  FIXTURE_URL,
  cliSurface,
  llmApiNestedKeys,
  llmApiTopLevelKeys,
  toolSurface,
} from '../../../orchestrator/toolchain/surface.js';

interface Json {
  version: string;
  commands: Record<string, unknown>;
  llm_api_yaml: Record<string, string[]> & { nested: Record<string, unknown> };
  triton_config_pbtxt: unknown;
}
const JSON_FIXTURE = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Json;
const Y = JSON_FIXTURE.llm_api_yaml;
const sorted = (s: ReadonlySet<string> | undefined): string[] | undefined => (s ? [...s].sort() : undefined);
const list = (name: string): string[] => {
  const v = Y[name];
  if (!Array.isArray(v) || v.length === 0) throw new Error(`fixture list ${name} missing`);
  return v;
};

describe('cliSurface', () => {
  it("is the JSON fixture, with the supplemental tools added to the fixture's commands", () => {
    expect(FIXTURE_URL.pathname).toMatch(/\/orchestrator\/toolchain\/fixture\/trtllm-cli-surface\.json$/);
    const s = cliSurface();
    expect(s.version).toBe(JSON_FIXTURE.version);
    expect(s.llm_api_yaml).toEqual(JSON_FIXTURE.llm_api_yaml);
    expect(s.triton_config_pbtxt).toEqual(JSON_FIXTURE.triton_config_pbtxt);
    // Checked in the same test: the surface is built only on the first call in this file.
    const { commands } = s;
    expect(Object.keys(commands).sort()).toEqual(
      [
        ...Object.keys(JSON_FIXTURE.commands),
        'convert_checkpoint.py(bert)',
        'export_hf_checkpoint.py',
        'encoder_server.py',
      ].sort(),
    );
    for (const [name, surface] of Object.entries(JSON_FIXTURE.commands)) expect(commands[name], name).toEqual(surface);
    expect(commands['convert_checkpoint.py(bert)']).toBe(BERT_CONVERT_SURFACE);
    expect(commands['export_hf_checkpoint.py']).toBe(EXPORT_HF_CHECKPOINT_SURFACE);
    expect(commands['encoder_server.py']).toBe(ENCODER_SERVER_SURFACE);
  });

  it('is parsed once: every call returns the same object', () => {
    expect(cliSurface()).toBe(cliSurface());
  });
});

describe('toolSurface', () => {
  it('returns the named tool', () => {
    expect(toolSurface('trtllm-build')).toBe(cliSurface().commands['trtllm-build']);
    expect(toolSurface('trtllm-build').flags['--checkpoint_dir']).toBeDefined();
    expect(toolSurface('encoder_server.py')).toBe(ENCODER_SERVER_SURFACE);
  });

  it('throws for a tool the fixture does not have', () => {
    expect(() => toolSurface('convert_checkpoint.py(gpt)' as ToolName)).toThrow(
      new Error('fixture has no command convert_checkpoint.py(gpt)'),
    );
  });
});

describe('llmApiTopLevelKeys', () => {
  const common = [...list('top_level_keys_common'), ...list('top_level_keys_1_2_only')];

  it('pytorch: the common and 1.2 keys plus the PyTorch keys', () => {
    expect(sorted(llmApiTopLevelKeys('pytorch'))).toEqual(
      [...new Set([...common, ...list('pytorch_keys_common'), ...list('pytorch_keys_1_2_only')])].sort(),
    );
    expect(llmApiTopLevelKeys('pytorch').has('cuda_graph_config')).toBe(true);
    expect(llmApiTopLevelKeys('pytorch').has('build_config')).toBe(false);
  });

  it('tensorrt: the common and 1.2 keys plus the TensorRT backend keys', () => {
    expect(sorted(llmApiTopLevelKeys('tensorrt'))).toEqual(
      [...new Set([...common, ...list('tensorrt_backend_keys')])].sort(),
    );
    expect(llmApiTopLevelKeys('tensorrt').has('build_config')).toBe(true);
    expect(llmApiTopLevelKeys('tensorrt').has('cuda_graph_config')).toBe(false);
  });

  it('leaves out deprecated and 1.0-only keys', () => {
    const left = [...list('top_level_keys_deprecated'), ...list('pytorch_keys_1_0_only')].filter(
      (key) => !common.includes(key),
    );
    expect(left.length).toBeGreaterThan(0);
    for (const key of left) expect(llmApiTopLevelKeys('pytorch').has(key), key).toBe(false);
  });
});

describe('llmApiNestedKeys', () => {
  const nested = (name: string): Record<string, unknown> => {
    const v = Y.nested[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`fixture nested ${name} missing`);
    return v as Record<string, unknown>;
  };
  const arr = (v: unknown): string[] => {
    if (!Array.isArray(v) || v.length === 0) throw new Error('expected a non-empty list');
    return v as string[];
  };

  it("common + 1_2_only (kv_cache_config); the object's other fields are not keys", () => {
    const kv = nested('kv_cache_config');
    expect(sorted(llmApiNestedKeys('kv_cache_config'))).toEqual([...arr(kv['common']), ...arr(kv['1_2_only'])].sort());
    expect(llmApiNestedKeys('kv_cache_config')?.has('free_gpu_memory_fraction')).toBe(true);
    expect(llmApiNestedKeys('kv_cache_config')?.has('defaults')).toBe(false);
  });

  it('keys (scheduler_config, lora_config)', () => {
    for (const name of ['scheduler_config', 'lora_config'])
      expect(sorted(llmApiNestedKeys(name)), name).toEqual([...arr(nested(name)['keys'])].sort());
  });

  it('keys_common + keys_1_2_only (moe_config, torch_compile_config)', () => {
    for (const name of ['moe_config', 'torch_compile_config']) {
      const n = nested(name);
      expect(sorted(llmApiNestedKeys(name)), name).toEqual(
        [...arr(n['keys_common']), ...arr(n['keys_1_2_only'])].sort(),
      );
    }
  });

  it('undefined for an unknown name and for a choice list', () => {
    expect(llmApiNestedKeys('no_such_config')).toBeUndefined();
    expect(Array.isArray(Y.nested['batching_type_choices'])).toBe(true);
    expect(llmApiNestedKeys('batching_type_choices')).toBeUndefined();
  });

  it('every nested entry of the fixture is an object of key lists or a choice list', () => {
    for (const [name, v] of Object.entries(Y.nested)) {
      expect(typeof v === 'object' && v !== null, name).toBe(true);
      if (!Array.isArray(v)) expect(llmApiNestedKeys(name)?.size, name).toBeGreaterThan(0);
    }
  });
});
