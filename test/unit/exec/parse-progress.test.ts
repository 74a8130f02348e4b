import { describe, expect, it } from 'vitest';
import { parseProgress } from '../../../orchestrator/exec/parse-progress.js';

describe('parseProgress', () => {
  it.each([
    [
      'Loading checkpoint shards:  50%|█████     | 2/4 [00:03<00:03,  1.52s/it]',
      { fraction: 0.5, label: 'Loading checkpoint shards' },
    ],
    ['Calibrating: 100%|██████████| 512/512 [01:02<00:00,  8.2it/s]', { fraction: 1, label: 'Calibrating' }],
    ['[TRT-LLM] [I] Build phase: rank 1/4', { fraction: 0.25, label: 'rank 1/4' }],
    ['[TRT-LLM] [I] Saving rank 0/2', { fraction: 0, label: 'rank 0/2' }],
    ['[TRT-LLM] [I] Total time of building all engines: 00:01:23', { fraction: 1, label: 'building all engines' }],
    ['Total time of converting checkpoints: 00:00:42', { fraction: 1, label: 'converting checkpoints' }],
    [
      'Quantized model exported to /workspace/trtllm_checkpoint Total time used 123.45 s.',
      { fraction: 1, label: 'done' },
    ],
  ])('%s', (line, expected) => {
    expect(parseProgress(line)).toEqual(expected);
  });

  it.each([
    ['[TRT] [I] [MemUsageChange] Init builder kernel library: CPU +0, GPU +0 (rank 0)'],
    ['rank 5/4 is odd'],
    ['[TRT-LLM] [I] Build phase: rank 5/4'],
    ['weird: 900%| x'],
    [''],
  ])('no progress in %j', (line) => {
    expect(parseProgress(line)).toBeNull();
  });

  it('stays fast on a huge line', () => {
    const t0 = performance.now();
    expect(parseProgress(`${'a'.repeat(1_000_000)}: 5%|`)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
