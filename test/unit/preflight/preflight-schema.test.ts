import { describe, expect, it } from 'vitest';
import { PREFLIGHT_SCHEMA_MATCHES, PreflightSchema } from '../../../orchestrator/preflight/preflight-schema.js';
import { runPreflight } from '../../../orchestrator/preflight/run-preflight.js';
import { facts, settingsFor } from './helpers.js';

describe('PreflightSchema', () => {
  it('accepts real sections (checked and offline) and rejects a section without notChecked', () => {
    expect(PREFLIGHT_SCHEMA_MATCHES).toBe(true);
    const checked = runPreflight({
      settings: settingsFor({ quant: 'fp8' }),
      checkpoint: {
        ok: true,
        value: {
          source: 'HF',
          repo: 'meta-llama/Llama-3.1-8B-Instruct',
          requestedRevision: null,
          resolvedRevision: 'b'.repeat(40),
          model: facts('meta-llama__Llama-3.1-8B-Instruct'),
          checkpointBytes: 1,
        },
      },
      adapters: [],
    }).section;
    expect(PreflightSchema.safeParse(JSON.parse(JSON.stringify(checked))).success).toBe(true);
    const offline = runPreflight({ settings: settingsFor({}), checkpoint: null, adapters: [] }).section;
    expect(PreflightSchema.safeParse(offline).success).toBe(true);
    const { notChecked: _n, ...rest } = offline;
    expect(PreflightSchema.safeParse(rest).success).toBe(false);
  });
});
