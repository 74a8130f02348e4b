// Property tests of the memory model: monotonic in sequence length, batch and TP; never negative;
// never throws, for arbitrary (also absurd) model shapes and settings.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kvBytesPerToken,
  memoryTable,
  weightBytes,
  type MemoryInput,
} from '../../../orchestrator/preflight/memory-model.js';
import type { ModelFacts } from '../../../orchestrator/preflight/model-facts.js';
import { facts } from './helpers.js';

const REAL = [
  'meta-llama__Llama-3.1-8B',
  'meta-llama__Llama-3.1-70B-Instruct',
  'deepseek-ai__DeepSeek-V3',
  'Qwen__Qwen3-235B-A22B',
  'openai__gpt-oss-20b',
  'google__gemma-3-27b-it',
  'BAAI__bge-large-en-v1.5',
].map(facts);

const arbFacts: fc.Arbitrary<ModelFacts> = fc.oneof(
  fc.constantFrom(...REAL),
  fc.record({
    architecture: fc.constantFrom('LlamaForCausalLM', 'X'),
    modelType: fc.constantFrom('llama', 'qwen2', 'gpt_oss', 'deepseek_v3', 'bert', ''),
    hiddenSize: fc.integer({ min: 1, max: 65536 }),
    numLayers: fc.integer({ min: 1, max: 512 }),
    numHeads: fc.integer({ min: 1, max: 256 }),
    numKvHeads: fc.integer({ min: 1, max: 256 }),
    headDim: fc.integer({ min: 1, max: 1024 }),
    intermediateSize: fc.integer({ min: 0, max: 200000 }),
    vocabSize: fc.integer({ min: 1, max: 1_000_000 }),
    maxPositionEmbeddings: fc.option(fc.integer({ min: 1, max: 1 << 22 })),
    ropeScaling: fc.constant(null),
    tieWordEmbeddings: fc.boolean(),
    torchDtype: fc.constant('bfloat16'),
    moe: fc.option(
      fc.record({
        numExperts: fc.integer({ min: 2, max: 512 }),
        expertsPerToken: fc.integer({ min: 1, max: 16 }),
        expertIntermediateSize: fc.integer({ min: 0, max: 30000 }),
        sharedExperts: fc.integer({ min: 0, max: 4 }),
        denseLayers: fc.integer({ min: 0, max: 1000 }),
      }),
    ),
    mla: fc.option(
      fc.record({
        kvLoraRank: fc.integer({ min: 1, max: 2048 }),
        qLoraRank: fc.option(fc.integer({ min: 1, max: 4096 })),
        qkRopeHeadDim: fc.integer({ min: 1, max: 256 }),
        qkNopeHeadDim: fc.integer({ min: 1, max: 256 }),
        vHeadDim: fc.integer({ min: 1, max: 256 }),
      }),
    ),
    preQuantized: fc.constantFrom(null, 'fp8', 'mxfp4'),
    slidingWindow: fc.constant(null),
    multimodal: fc.boolean(),
  }),
);

const arbInput: fc.Arbitrary<MemoryInput> = fc.record({
  format: fc.constantFrom('bf16' as const, 'fp8' as const, 'nvfp4' as const),
  kvFp8: fc.boolean(),
  tp: fc.integer({ min: 1, max: 64 }),
  pp: fc.integer({ min: 1, max: 16 }),
  gpuMemoryBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 * 2 ** 30 })),
  maxBatchSize: fc.integer({ min: 1, max: 4096 }),
  maxNumTokens: fc.integer({ min: 1, max: 1 << 20 }),
  maxSeqLen: fc.integer({ min: 1, max: 1 << 20 }),
  freeGpuMemFraction: fc.double({ min: -1, max: 2, noNaN: true }),
});

describe('memory model properties', () => {
  it('never throws and never returns a negative or non-finite number', () => {
    fc.assert(
      fc.property(arbFacts, arbInput, (f, m) => {
        const t = memoryTable(f, m);
        for (const [k, v] of Object.entries(t))
          if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0, k).toBe(true);
        expect(weightBytes(f, m.format)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 400 },
    );
  });

  it('more sequence length never gives more sequences; more batch never gives a longer sequence or more capacity', () => {
    fc.assert(
      fc.property(arbFacts, arbInput, fc.integer({ min: 1, max: 1 << 16 }), (f, m, extra) => {
        const a = memoryTable(f, m);
        const longer = memoryTable(f, { ...m, maxSeqLen: m.maxSeqLen + extra });
        expect(longer.sequencesAtMaxSeqLen).toBeLessThanOrEqual(a.sequencesAtMaxSeqLen);
        expect(longer.requestedTokens).toBeGreaterThanOrEqual(a.requestedTokens);
        const bigger = memoryTable(f, { ...m, maxBatchSize: m.maxBatchSize + extra });
        expect(bigger.seqLenAtMaxBatch).toBeLessThanOrEqual(a.seqLenAtMaxBatch);
        expect(bigger.kvCapacityTokens).toBeLessThanOrEqual(a.kvCapacityTokens);
      }),
      { numRuns: 300 },
    );
  });

  it('more tensor parallelism never needs more weight or KV bytes per GPU', () => {
    fc.assert(
      fc.property(arbFacts, arbInput, fc.integer({ min: 1, max: 8 }), (f, m, k) => {
        const a = memoryTable(f, m);
        const b = memoryTable(f, { ...m, tp: m.tp * k });
        expect(b.weightsBytes).toBeLessThanOrEqual(a.weightsBytes);
        expect(b.kvBytesPerToken).toBeLessThanOrEqual(a.kvBytesPerToken);
        expect(kvBytesPerToken(f, m.tp * k, m.pp, m.kvFp8)).toBeLessThanOrEqual(
          kvBytesPerToken(f, m.tp, m.pp, m.kvFp8),
        );
      }),
      { numRuns: 300 },
    );
  });
});
