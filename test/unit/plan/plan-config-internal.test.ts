/** planConfigText never throws: a planner failure is an INTERNAL_ERROR naming only the error's class. */
import { describe, expect, it, vi } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { V1 } from './fixtures.js';

const thrown = vi.hoisted((): { value: unknown } => ({ value: undefined }));
vi.mock('../../../orchestrator/plan/make-plan.js', () => ({
  makePlan: () => {
    throw thrown.value;
  },
}));

describe('planConfigText when the planner throws', () => {
  const text = `${V1}    quantization_config: {calib_dataset: me/my_cnn_dailymail_subset}\n`;
  const { warnings } = validateConfigText(text);

  it.each([
    [new RangeError('secret detail'), 'RangeError'],
    ['a string', 'unknown'],
  ])('%s → an internal error naming %s', (value, name) => {
    thrown.value = value;
    expect(warnings.length).toBeGreaterThan(0);
    expect(planConfigText(text)).toEqual({
      valid: false,
      errors: [
        {
          code: 'INTERNAL_ERROR',
          severity: 'error',
          path: '',
          message: `internal planner error: ${name}; please report this config`,
          line: 1,
          column: 1,
        },
      ],
      warnings,
      plan: null,
    });
  });
});
