/** planConfigText: the validator's answer as is, or the plan, or plan errors at their config position. */
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { makePlan } from '../../../orchestrator/plan/make-plan.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { V1 } from './fixtures.js';

describe('planConfigText', () => {
  it('an invalid config: the validator errors and warnings, no plan', () => {
    const text = V1.replace('max_batch_size: 64', 'max_batch_size: -1');
    const v = validateConfigText(text);
    expect(v.errors.length).toBeGreaterThan(0);
    expect(planConfigText(text)).toEqual({ valid: false, errors: v.errors, warnings: v.warnings, plan: null });
  });

  it('a valid config: the plan, no errors, the validator warnings', () => {
    const text = `${V1}    quantization_config: {calib_dataset: me/my_cnn_dailymail_subset}\n`;
    const v = validateConfigText(text);
    if (!v.config) throw new Error('fixture must validate');
    expect(v.warnings.length).toBeGreaterThan(0);
    const planned = makePlan(v.config);
    if (!('plan' in planned)) throw new Error('fixture must plan');
    expect(planConfigText(text)).toEqual({ valid: true, errors: [], warnings: v.warnings, plan: planned.plan });
  });

  it('plan errors at the position of their config value', () => {
    const text = V1.replace('accelerator: H100', 'accelerator: B200').replace(
      'quantization_type: fp8',
      'quantization_type: fp4_mlp_only',
    );
    const r = planConfigText(text);
    expect(r).toMatchObject({ valid: false, plan: null, warnings: [] });
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'QUANTIZATION_NOT_IN_LANE',
        path: 'trt_llm.build.quantization_type',
        line: 16,
        column: 24,
      }),
    ]);
  });

  it('a service option error has no config position, even where the text has an options key', () => {
    const text = `${V1}options:\n  lanes:\n    v1:\n      digest: x\n`;
    const r = planConfigText(text, { lanes: { v1: { digest: 'sha256:xyz' } } });
    expect(r.errors).toEqual([
      expect.objectContaining({ code: 'LANE_PIN_INVALID', path: 'options.lanes.v1.digest', line: 1, column: 1 }),
    ]);
  });
});
