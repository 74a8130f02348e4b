/**
 * After a step exits 0: did it write what the plan says it writes? Each of the step's `outputs`
 * (workspace paths) must exist on the host, and a directory must not be empty. A tool that "succeeds"
 * without outputs (e.g. it wrote outside the mounted workspace) becomes `STEP_OUTPUT_MISSING`.
 */
import { readdir, stat } from 'node:fs/promises';
import type { ContainerStep } from '../plan/types.js';
import { mapArg } from './step-invocation.js';
import type { ProcessResult, StepFailure } from './types.js';

/** Null when every output is there, else a non-retryable failure naming the missing paths. */
export async function checkStepOutputs(
  step: ContainerStep,
  workspaceDir: string,
  workspaceMount: string,
  result: ProcessResult,
): Promise<StepFailure | null> {
  const missing: string[] = [];
  for (const out of step.outputs) {
    const mapped = mapArg(out, workspaceMount, workspaceDir);
    if (!mapped.ok || mapped.value === out) {
      missing.push(`${out} (not under ${workspaceMount})`);
      continue;
    }
    if (!(await present(mapped.value))) missing.push(out);
  }
  if (missing.length === 0) return null;
  return {
    class: 'unknown',
    code: 'STEP_OUTPUT_MISSING',
    message: `step ${step.id} exited 0 but did not write ${missing.join(', ')}`,
    advice:
      'read the step log: the tool may have written elsewhere or skipped work; the build cannot continue without these files',
    retryable: false,
    result,
  };
}

async function present(hostPath: string): Promise<boolean> {
  try {
    const s = await stat(hostPath);
    if (!s.isDirectory()) return true;
    return (await readdir(hostPath)).length > 0;
  } catch {
    return false;
  }
}
