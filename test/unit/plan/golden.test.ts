/**
 * Golden plans: every recipe is planned and compared with its reviewed snapshot in test/golden/.
 * After reviewing an intended change, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/unit/plan/golden.test.ts`.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';

const RECIPES = new URL('../../../recipes/', import.meta.url);
const GOLDEN = new URL('../../golden/', import.meta.url);
const recipes = readdirSync(RECIPES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('golden plans', () => {
  it('covers the ten recipes', () => {
    expect(recipes).toHaveLength(10);
  });

  it.each(recipes)('%s', (file) => {
    const result = planConfigText(readFileSync(new URL(file, RECIPES), 'utf8'));
    expect(result.errors).toEqual([]);
    // Recipes are clean; the only warning allowed is Truss's "patch_kwargs is a preview feature".
    expect(result.warnings.map((w) => w.code).filter((c) => c !== 'PATCH_KWARGS_PREVIEW')).toEqual([]);
    const actual = `${JSON.stringify(result.plan, null, 2)}\n`;
    const golden = new URL(file.replace(/\.yaml$/, '.plan.json'), GOLDEN);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, actual);
    expect(existsSync(golden)).toBe(true);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  });
});
