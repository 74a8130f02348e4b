// The settings helpers the argv builders read: quantization_type → quantize.py's qformat and KV
// dtype, and the lookahead draft length (0 if N == 1 else N - 2) + (W - 1 + V) * (N - 1).
import { describe, expect, it } from 'vitest';
import { lookaheadDraftLen, quantFormat } from '../../../orchestrator/toolchain/engine-settings.js';

describe('quantFormat', () => {
  it.each([
    ['no_quant', null],
    ['fp8', { qformat: 'fp8', kvCacheDtype: null }],
    ['fp8_kv', { qformat: 'fp8', kvCacheDtype: 'fp8' }],
    ['fp4', { qformat: 'nvfp4', kvCacheDtype: null }],
    ['fp4_kv', { qformat: 'nvfp4', kvCacheDtype: 'fp8' }],
    ['fp4_mlp_only', 'unsupported'],
  ] as const)('%s → %j', (type, expected) => {
    expect(quantFormat(type)).toEqual(expected);
  });
});

describe('lookaheadDraftLen', () => {
  it.each([
    // [W, N, V, draft length]
    [4, 1, 4, 0], // N == 1: no n-gram branch, and (N - 1) = 0
    [4, 2, 4, 7], // N == 2: 0 + 7 * 1
    [4, 3, 4, 15], // 1 + 7 * 2
    [1, 3, 1, 3], // 1 + 1 * 2
    [8, 8, 8, 111], // 6 + 15 * 7
    [5, 4, 2, 20], // 2 + 6 * 3: W and V are not interchangeable with N
    [2, 5, 7, 35], // 3 + 8 * 4
  ])('W %i, N %i, V %i → %i', (w, n, v, len) => {
    expect(lookaheadDraftLen(w, n, v)).toBe(len);
  });
});
