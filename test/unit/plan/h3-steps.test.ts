// The step constructors, exactly: what is fetched (checkpoint, adapters in name order, the
// calibration dataset and the secret each needs), and the fetch, container and publish steps.
import { describe, expect, it } from 'vitest';
import { CheckpointRepository } from '../../../orchestrator/config/schema/checkpoint.js';
import { TrtLlmBuild } from '../../../orchestrator/config/schema/build.js';
import { DEFAULT_STEP_TIMEOUTS } from '../../../orchestrator/plan/planner-options.js';
import type { PlannerOptions } from '../../../orchestrator/plan/planner-options.js';
import { containerStep, fetchItems, fetchStep, publishStep } from '../../../orchestrator/plan/steps.js';
import type { FetchItem } from '../../../orchestrator/plan/types.js';

const repo = (fields: Record<string, unknown>): CheckpointRepository => CheckpointRepository.parse(fields);
const build = (fields: Record<string, unknown> = {}): TrtLlmBuild => TrtLlmBuild.parse(fields);

const HF = repo({ source: 'HF', repo: 'meta-llama/Llama-3.1-8B-Instruct', revision: 'main' });
const CHECKPOINT_ITEM: FetchItem = {
  role: 'checkpoint',
  name: null,
  source: 'HF',
  repo: 'meta-llama/Llama-3.1-8B-Instruct',
  revision: 'main',
  repoType: 'model',
  secretName: 'hf_access_token',
  dest: '/workspace/checkpoint',
};
/** Distinct limits per kind, so a step that asks for another kind's limit is seen. */
const LIMITS: PlannerOptions = {
  stepTimeoutSeconds: { fetch: 11, convert: 22, quantize: 33, engine_build: 44, publish: 55 },
};

describe('fetchItems', () => {
  it('the checkpoint alone, with its declared secret', () => {
    expect(fetchItems(build(), HF, false, ['hf_access_token'])).toEqual([CHECKPOINT_ITEM]);
  });

  it('no secret for a checkpoint whose secret is not declared', () => {
    expect(fetchItems(build(), HF, false, ['other'])).toEqual([{ ...CHECKPOINT_ITEM, secretName: null }]);
  });

  it('keeps source, repo and a null revision as written', () => {
    const s3 = repo({ source: 'S3', repo: 's3://bucket/model', runtime_secret_name: 'aws' });
    expect(fetchItems(build(), s3, false, ['aws'])).toEqual([
      { ...CHECKPOINT_ITEM, source: 'S3', repo: 's3://bucket/model', revision: null, secretName: 'aws' },
    ]);
  });

  it('adapters in name order, numbered directories, each with its own declared secret', () => {
    const b = build({
      lora_adapters: {
        zeta: { source: 'HF', repo: 'org/zeta', revision: 'v1', runtime_secret_name: 'z_token' },
        alpha: { source: 'S3', repo: 's3://bucket/alpha', runtime_secret_name: 'undeclared' },
      },
    });
    expect(fetchItems(b, HF, false, ['hf_access_token', 'z_token'])).toEqual([
      CHECKPOINT_ITEM,
      {
        role: 'lora_adapter',
        name: 'alpha',
        source: 'S3',
        repo: 's3://bucket/alpha',
        revision: null,
        repoType: 'model',
        secretName: null,
        dest: '/workspace/lora/0',
      },
      {
        role: 'lora_adapter',
        name: 'zeta',
        source: 'HF',
        repo: 'org/zeta',
        revision: 'v1',
        repoType: 'model',
        secretName: 'z_token',
        dest: '/workspace/lora/1',
      },
    ]);
  });

  it('calibrating: the default dataset, an HF dataset, after the adapters, fetched with the HF checkpoint secret', () => {
    const b = build({ lora_adapters: { a: { source: 'HF', repo: 'org/a' } } });
    const ckpt = repo({ source: 'HF', repo: 'org/model', runtime_secret_name: 'my_token' });
    const items = fetchItems(b, ckpt, true, ['hf_access_token', 'my_token']);
    expect(items.map((i) => i.role)).toEqual(['checkpoint', 'lora_adapter', 'calibration_dataset']);
    expect(items[2]).toEqual({
      role: 'calibration_dataset',
      name: null,
      source: 'HF',
      repo: 'abisee/cnn_dailymail',
      revision: null,
      repoType: 'dataset',
      secretName: 'my_token',
      dest: '/workspace/calibration/cnn_dailymail',
    });
  });

  it('calibrating on another dataset lands in a directory without cnn_dailymail in its name', () => {
    const b = build({ quantization_config: { calib_dataset: 'org/my-data' } });
    expect(fetchItems(b, HF, true, [])[1]).toEqual({
      role: 'calibration_dataset',
      name: null,
      source: 'HF',
      repo: 'org/my-data',
      revision: null,
      repoType: 'dataset',
      secretName: null,
      dest: '/workspace/calibration/dataset',
    });
  });

  it('calibrating with an HF checkpoint whose secret is not declared: no secret', () => {
    expect(fetchItems(build(), HF, true, ['other'])[1]?.secretName).toBeNull();
  });

  it('calibrating with a non-HF checkpoint: the default HF secret when declared, else none', () => {
    const s3 = repo({ source: 'S3', repo: 's3://bucket/model', runtime_secret_name: 'aws' });
    expect(fetchItems(build(), s3, true, ['aws', 'hf_access_token'])[1]?.secretName).toBe('hf_access_token');
    expect(fetchItems(build(), s3, true, ['aws'])[1]?.secretName).toBeNull();
  });
});

describe('fetchStep', () => {
  it('downloads every item, before any GPU step, with each declared secret once, sorted', () => {
    const b = build({
      lora_adapters: {
        a: { source: 'HF', repo: 'org/a', runtime_secret_name: 'z_token' },
        b: { source: 'HF', repo: 'org/b', runtime_secret_name: 'z_token' },
      },
    });
    const items = fetchItems(b, HF, true, ['hf_access_token', 'z_token']);
    expect(fetchStep(items, LIMITS)).toEqual({
      id: 'fetch',
      kind: 'fetch',
      description: 'download checkpoint, lora adapter, calibration dataset before any GPU step',
      gpus: 0,
      secretEnv: ['hf_access_token', 'z_token'],
      inputs: [],
      outputs: [
        '/workspace/checkpoint',
        '/workspace/lora/0',
        '/workspace/lora/1',
        '/workspace/calibration/cnn_dailymail',
      ],
      timeoutSeconds: 11,
      image: null,
      argv: [],
      items,
    });
  });

  it('sorts secret names that arrive out of order, and needs none when no item has one', () => {
    const items = fetchItems(
      build({ lora_adapters: { a: { source: 'HF', repo: 'org/a', runtime_secret_name: 'a_token' } } }),
      repo({ source: 'HF', repo: 'org/m', runtime_secret_name: 'm_token' }),
      false,
      ['m_token', 'a_token'],
    );
    expect(items.map((i) => i.secretName)).toEqual(['m_token', 'a_token']);
    expect(fetchStep(items, undefined).secretEnv).toEqual(['a_token', 'm_token']);
    expect(fetchStep(fetchItems(build(), HF, false, []), undefined).secretEnv).toEqual([]);
  });

  it('the checkpoint alone: its description and the default limit', () => {
    const step = fetchStep([CHECKPOINT_ITEM], undefined);
    expect(step.description).toBe('download checkpoint before any GPU step');
    expect(step.timeoutSeconds).toBe(DEFAULT_STEP_TIMEOUTS.fetch);
  });
});

describe('containerStep', () => {
  it.each([
    ['convert', 22],
    ['quantize', 33],
    ['engine_build', 44],
  ] as const)('%s: the argv in the image, no secrets, its own limit', (kind, limit) => {
    const io = { inputs: ['/workspace/a'], outputs: ['/workspace/b'], description: 'do it' };
    expect(containerStep(kind, 'img:1', ['x', '--y'], 2, io, LIMITS)).toEqual({
      id: kind,
      kind,
      description: 'do it',
      gpus: 2,
      secretEnv: [],
      inputs: ['/workspace/a'],
      outputs: ['/workspace/b'],
      timeoutSeconds: limit,
      image: 'img:1',
      argv: ['x', '--y'],
    });
    expect(containerStep(kind, 'img:1', [], 1, io, undefined).timeoutSeconds).toBe(DEFAULT_STEP_TIMEOUTS[kind]);
  });
});

describe('publishStep', () => {
  it('an engine with a tokenizer: uploads engine, launch configs and tokenizer', () => {
    expect(publishStep('engine', '/workspace/engine', '/workspace/checkpoint', LIMITS)).toEqual({
      id: 'publish',
      kind: 'publish',
      description: 'upload engine, launch configs, tokenizer; write manifest.json last',
      gpus: 0,
      secretEnv: [],
      inputs: ['/workspace/engine', '/workspace/checkpoint', '/workspace/launch'],
      outputs: [],
      timeoutSeconds: 55,
      image: null,
      argv: [],
      artifactDir: '/workspace/engine',
      artifactKind: 'engine',
      tokenizerDir: '/workspace/checkpoint',
    });
  });

  it('a checkpoint that is its own tokenizer dir: each input once', () => {
    const step = publishStep('checkpoint', '/workspace/checkpoint', '/workspace/checkpoint', undefined);
    expect(step.inputs).toEqual(['/workspace/checkpoint', '/workspace/launch']);
    expect(step.description).toBe('upload checkpoint, launch configs, tokenizer; write manifest.json last');
    expect(step.timeoutSeconds).toBe(DEFAULT_STEP_TIMEOUTS.publish);
  });

  it('no artifact and no tokenizer: launch configs only', () => {
    const step = publishStep('none', '/workspace/launch', null, undefined);
    expect(step.inputs).toEqual(['/workspace/launch']);
    expect(step.description).toBe('upload launch configs; write manifest.json last');
    expect(step.tokenizerDir).toBeNull();
    expect(step.artifactKind).toBe('none');
  });

  it('an artifact without a tokenizer', () => {
    const step = publishStep('engine', '/workspace/engine', null, undefined);
    expect(step.inputs).toEqual(['/workspace/engine', '/workspace/launch']);
    expect(step.description).toBe('upload engine, launch configs; write manifest.json last');
  });
});
