// `resources.accelerator` (TYPE[:COUNT]) and `resources.instance_type` ([GPU[:COUNT]:]vCPUxMEM):
// exact results on each side of every boundary, exact codes and messages.
import { describe, expect, it } from 'vitest';
import { GPU_TYPES } from '../../../orchestrator/gpu/catalog.js';
import { parseAccelerator, parseInstanceType } from '../../../orchestrator/gpu/parse-accelerator.js';

const KNOWN = GPU_TYPES.join(', ');

describe('parseAccelerator (h7)', () => {
  it.each([
    ['H100', 'H100', 1],
    ['H100:1', 'H100', 1],
    ['H100:2', 'H100', 2],
    ['H100:9', 'H100', 9],
    ['H100:10', 'H100', 10],
    ['H100:9999', 'H100', 9999],
    [' H100:2 ', 'H100', 2],
    ['\tA100_40GB\n', 'A100_40GB', 1],
    ['RTX_PRO_6000:4', 'RTX_PRO_6000', 4],
  ] as const)('%j → %s × %i', (text, type, count) => {
    expect(parseAccelerator(text)).toEqual({ ok: true, type, count });
  });

  it.each([['0'], ['00'], ['01'], ['10000'], ['1a'], ['a1'], [' 1'], [''], ['+1'], ['1e3'], ['-1'], ['1.0']])(
    'count %j is rejected with ACCELERATOR_COUNT_INVALID',
    (count) => {
      expect(parseAccelerator(`H100:${count}`)).toEqual({
        ok: false,
        code: 'ACCELERATOR_COUNT_INVALID',
        message: `GPU count must be a positive integer (got ${JSON.stringify(count)}); e.g. H100:2`,
      });
    },
  );

  it.each([[''], ['   '], [':2'], ['H100:2:3'], ['::'], ['H100::']])('%j is ACCELERATOR_INVALID', (text) => {
    expect(parseAccelerator(text)).toEqual({
      ok: false,
      code: 'ACCELERATOR_INVALID',
      message: `expected TYPE or TYPE:COUNT such as H100 or H100:2 (got ${JSON.stringify(text)})`,
    });
  });

  it('an unknown type names the known ones and no suggestion', () => {
    expect(parseAccelerator('X9:2')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "X9" (known: ${KNOWN})`,
    });
    expect(parseAccelerator('A10')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "A10" (known: ${KNOWN})`,
    });
  });

  it('a lower-case known type suggests the upper-case spelling', () => {
    expect(parseAccelerator('h100:2')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "h100"; did you mean H100? (known: ${KNOWN})`,
    });
    expect(parseAccelerator('a100_40gb')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "a100_40gb"; did you mean A100_40GB? (known: ${KNOWN})`,
    });
  });
});

describe('parseInstanceType (h7)', () => {
  it.each([
    ['H100:8x80', { type: 'H100', count: 1 }, 8, 80],
    ['H100:1:8x80', { type: 'H100', count: 1 }, 8, 80],
    ['H100:2:16x160', { type: 'H100', count: 2 }, 16, 160],
    ['H100:12:96x960', { type: 'H100', count: 12 }, 96, 960],
    [' L4:4x16 ', { type: 'L4', count: 1 }, 4, 16],
    ['RTX_PRO_6000:2:32x256', { type: 'RTX_PRO_6000', count: 2 }, 32, 256],
    ['4x16', null, 4, 16],
    ['1x1', null, 1, 1],
    ['1x16', null, 1, 16],
    ['4x1', null, 4, 1],
    ['\t1x1\n', null, 1, 1],
  ] as const)('%j', (text, gpu, cpu, memoryGiB) => {
    expect(parseInstanceType(text)).toEqual({ ok: true, gpu, cpu, memoryGiB });
  });

  it.each([
    ['H100'],
    ['H100:8'],
    ['X9'],
    ['H100:8x80x2'],
    ['8x'],
    ['x8'],
    ['H100:8X80'],
    ['H-100:8x80'],
    ['H100:2:3:8x80'],
    ['8x80 extra'],
    ['a 8x80'],
    [''],
  ])('%j does not have the instance-type shape', (text) => {
    expect(parseInstanceType(text)).toEqual({
      ok: false,
      code: 'INSTANCE_TYPE_INVALID',
      message: `expected <GPU>:<vCPU>x<MEM> such as H100:8x80 (or <GPU>:<COUNT>:<vCPU>x<MEM>) (got ${JSON.stringify(text)})`,
    });
  });

  it.each([['0x16'], ['4x0'], ['H100:0x80'], ['H100:8x0'], ['0x0']])('%j has a zero vCPU or memory', (text) => {
    expect(parseInstanceType(text)).toEqual({
      ok: false,
      code: 'INSTANCE_TYPE_INVALID',
      message: `vCPU and memory must be positive (got ${JSON.stringify(text)})`,
    });
  });

  it.each([['H100:0:8x80'], ['H100:00:8x80'], ['H100:01:8x80'], ['H100:10000:8x80']])(
    'the GPU count of %j is refused, as accelerator counts are (1-9999, no leading zero)',
    (text) => {
      expect(parseInstanceType(text)).toEqual({
        ok: false,
        code: 'INSTANCE_TYPE_INVALID',
        message: `GPU count must be an integer from 1 to 9999 without a leading zero (got ${JSON.stringify(text)})`,
      });
    },
  );

  it.each([
    ['H100:1:8x80', 1],
    ['H100:9999:8x80', 9999],
  ])('the GPU count of %j is %i', (text, count) => {
    expect(parseInstanceType(text)).toEqual({ ok: true, gpu: { type: 'H100', count }, cpu: 8, memoryGiB: 80 });
  });

  it('an unknown GPU name is ACCELERATOR_TYPE_UNKNOWN, with the suggestion for a lower-case one', () => {
    expect(parseInstanceType('X9:8x80')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "X9" (known: ${KNOWN})`,
    });
    expect(parseInstanceType('h100:2:8x80')).toEqual({
      ok: false,
      code: 'ACCELERATOR_TYPE_UNKNOWN',
      message: `unknown accelerator type "h100"; did you mean H100? (known: ${KNOWN})`,
    });
  });
});
