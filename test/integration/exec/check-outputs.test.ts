import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { checkStepOutputs } from '../../../orchestrator/exec/check-outputs.js';
import type { ProcessResult } from '../../../orchestrator/exec/types.js';
import { containerStep, tempDir } from './helpers.js';

const ws = tempDir('outputs-');
afterAll(() => ws.cleanup());
const ok: ProcessResult = { exitCode: 0, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 5 };

describe('checkStepOutputs (real files)', () => {
  it('passes when every output exists and directories are non-empty', async () => {
    mkdirSync(path.join(ws.dir, 'engine'), { recursive: true });
    writeFileSync(path.join(ws.dir, 'engine', 'rank0.engine'), 'x');
    writeFileSync(path.join(ws.dir, 'report.json'), '{}');
    const step = containerStep({ outputs: ['/workspace/engine', '/workspace/report.json'] });
    expect(await checkStepOutputs(step, ws.dir, '/workspace', ok)).toBeNull();
  });

  it('names missing outputs, empty directories and paths outside the workspace, and is not retried', async () => {
    mkdirSync(path.join(ws.dir, 'empty'), { recursive: true });
    const step = containerStep({
      outputs: ['/workspace/nothing', '/workspace/empty', '/tmp/elsewhere', '/workspace/../x'],
    });
    const f = await checkStepOutputs(step, ws.dir, '/workspace', ok);
    expect(f).toMatchObject({ code: 'STEP_OUTPUT_MISSING', retryable: false });
    expect(f?.message).toBe(
      'step engine_build exited 0 but did not write /workspace/nothing, /workspace/empty, /tmp/elsewhere (not under /workspace), /workspace/../x (not under /workspace)',
    );
    if (f)
      expect(
        decideOutcome(f, 1, {
          maxAttempts: 4,
          baseDelayMs: 1,
          backoffFactor: 2,
          maxDelayMs: 10,
          unknownRetries: 1,
          timeoutRetries: 0,
        }),
      ).toMatchObject({ action: 'fail', code: 'STEP_OUTPUT_MISSING' });
  });
});
