import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_NAME, DEFAULT_STEP_TIMEOUTS, stepTimeout } from '../../../orchestrator/plan/planner-options.js';

describe('DEFAULT_STEP_TIMEOUTS', () => {
  it('gives hours to downloads, conversion, calibration, builds and uploads', () =>
    expect(DEFAULT_STEP_TIMEOUTS).toEqual({
      fetch: 14_400,
      convert: 7_200,
      quantize: 21_600,
      engine_build: 21_600,
      publish: 7_200,
    }));
});

describe('stepTimeout', () => {
  it('takes the default without options or without a limit for the kind', () => {
    expect(stepTimeout(undefined, 'fetch')).toBe(14_400);
    expect(stepTimeout({}, 'convert')).toBe(7_200);
    expect(stepTimeout({ stepTimeoutSeconds: { fetch: 5 } }, 'publish')).toBe(7_200);
  });
  it('takes a positive whole number of seconds', () => {
    expect(stepTimeout({ stepTimeoutSeconds: { quantize: 1 } }, 'quantize')).toBe(1);
    expect(stepTimeout({ stepTimeoutSeconds: { engine_build: 600 } }, 'engine_build')).toBe(600);
  });
  it.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('ignores %s', (t) =>
    expect(stepTimeout({ stepTimeoutSeconds: { fetch: t } }, 'fetch')).toBe(14_400),
  );
  it('ignores a value that is not a number', () =>
    expect(stepTimeout({ stepTimeoutSeconds: { fetch: '60' as unknown as number } }, 'fetch')).toBe(14_400));
});

describe('ARCHITECTURE_NAME', () => {
  it.each(['LlamaForCausalLM', 'A', 'Qwen2_5VL', `A${'b'.repeat(99)}`])('accepts %s', (name) =>
    expect(ARCHITECTURE_NAME.test(name)).toBe(true),
  );
  it.each(['', '1Llama', '_Llama', 'Llama-3', 'Llama For', ' Llama', 'Llama\n', `A${'b'.repeat(100)}`])(
    'rejects %j',
    (name) => expect(ARCHITECTURE_NAME.test(name)).toBe(false),
  );
});
