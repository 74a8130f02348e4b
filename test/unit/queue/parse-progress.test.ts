import { describe, expect, it } from 'vitest';
import { parseProgress } from '../../../orchestrator/queue/parse-progress.js';

describe('parseProgress', () => {
  it.each([
    ['Loading weights: 42%', 0.42],
    ['100%|██████████| 32/32 [00:03<00:00]', 1],
    ['[TensorRT-LLM] [3/10] building layer', 0.3],
    ['Progress: 5/20', 0.25],
    ['calibrating step 64/512', 0.125],
    ['12.5 % done', 0.125],
  ])('%s → %d', (line, want) => {
    expect(parseProgress(line)).toBeCloseTo(want, 5);
  });

  it.each(['no progress here', 'using 250% more memory', '[11/10] odd', 'version 1.2/3', 'tp_size 2/0', ''])('ignores %j', (line) => {
    expect(parseProgress(line)).toBeNull();
  });
});
