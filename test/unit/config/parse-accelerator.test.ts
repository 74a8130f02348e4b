// resources.accelerator and resources.instance_type parsing.
import { describe, expect, it } from 'vitest';
import { GPU_TYPES } from '../../../orchestrator/gpu/catalog.js';
import { parseAccelerator, parseInstanceType } from '../../../orchestrator/gpu/parse-accelerator.js';

describe('parseAccelerator', () => {
  it.each(GPU_TYPES.map((t) => [t]))('resolves %s (every GPU type Truss knows)', (t) => {
    expect(parseAccelerator(t)).toEqual({ ok: true, type: t, count: 1 });
    expect(parseAccelerator(`${t}:8`)).toEqual({ ok: true, type: t, count: 8 });
  });

  it.each([
    ['H100:0', 'ACCELERATOR_COUNT_INVALID'],
    ['H100:-1', 'ACCELERATOR_COUNT_INVALID'],
    ['H100:1.5', 'ACCELERATOR_COUNT_INVALID'],
    ['H100:x', 'ACCELERATOR_COUNT_INVALID'],
    ['H100:2:3', 'ACCELERATOR_INVALID'],
    ['', 'ACCELERATOR_INVALID'],
    [':2', 'ACCELERATOR_INVALID'],
    ['h100', 'ACCELERATOR_TYPE_UNKNOWN'],
    ['A10', 'ACCELERATOR_TYPE_UNKNOWN'],
  ])('%j → %s', (text, code) => {
    const r = parseAccelerator(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('suggests the upper-case spelling', () => {
    const r = parseAccelerator('h100');
    expect(!r.ok && r.message).toContain('did you mean H100?');
  });
});

describe('parseInstanceType', () => {
  it.each([
    ['H100:8x80', { ok: true, gpu: { type: 'H100', count: 1 }, cpu: 8, memoryGiB: 80 }],
    ['H100:2:16x160', { ok: true, gpu: { type: 'H100', count: 2 }, cpu: 16, memoryGiB: 160 }],
    ['4x16', { ok: true, gpu: null, cpu: 4, memoryGiB: 16 }],
  ])('%j', (text, want) => {
    expect(parseInstanceType(text)).toEqual(want);
  });

  it.each([['H100'], ['H100:8'], ['H100:0:8x80'], ['X9:8x80'], ['0x16'], ['H100:8x80x2']])('%j is rejected', (text) => {
    expect(parseInstanceType(text).ok).toBe(false);
  });
});
