/**
 * Attempt-scoped outputs: each declared output directory of a step is written by one attempt into
 * its own host directory, `<workspace>/.attempts/<step>/<runName>/<i>`, mounted over the output path
 * (docker) or substituted for it in argv (local), and moved into place with `rename` only when the
 * attempt succeeded. An earlier attempt that still runs (an orphan) writes only into its own
 * directory, so its files never mix with the new attempt's; the old output is moved aside first,
 * then replaced in one rename. Outputs are directories. An output that is also an input of the
 * step (or nests with one) is written in place, since hiding it would hide the input.
 */
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerStep } from '../plan/types.js';
import { fencingFailure, refusal } from './refusal.js';
import { mapArg, type ExtraMount, type Invocation, type InvocationResult } from './step-invocation.js';
import type { ProcessResult, StepOutcome, StepRunContext } from './types.js';

/** Name of the workspace directory holding attempt-scoped outputs. */
export const ATTEMPTS_DIR = '.attempts';

/** One staged output: the container path, where the attempt writes it, and where it goes on success. */
export interface StagedOutput {
  readonly containerPath: string;
  readonly staging: string;
  readonly target: string;
}

export interface AttemptOutputs {
  readonly staged: readonly StagedOutput[];
  /** Container paths of staged outputs that are empty or missing (none when the attempt wrote them all). */
  missing(): Promise<readonly string[]>;
  /** Moves every staged output into place (old one aside, then one rename); removes the attempt dir. */
  commit(): Promise<void>;
  /** Removes the attempt dir (failure, cancel); never throws. */
  discard(): Promise<void>;
}

export type PrepareResult =
  | { readonly ok: true; readonly outputs: AttemptOutputs }
  | { readonly ok: false; readonly message: string };

/**
 * Creates the attempt directories of `step` for run `runName`. With `clearEarlier` (the caller has
 * stopped every earlier attempt of this step), leftovers of earlier attempts are removed first.
 */
export async function prepareAttemptOutputs(
  step: ContainerStep,
  workspaceDir: string,
  workspaceMount: string,
  runName: string,
  clearEarlier: boolean,
): Promise<PrepareResult> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(step.id))
    return { ok: false, message: `step id ${JSON.stringify(step.id.slice(0, 80))} cannot name a directory` };
  const stepDir = path.join(workspaceDir, ATTEMPTS_DIR, step.id);
  const root = path.join(stepDir, runName);
  const staged: StagedOutput[] = [];
  const nests = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  for (const [i, out] of step.outputs.entries()) {
    const clean = path.posix.normalize(out).replace(/\/+$/, '');
    const mapped = mapArg(clean, workspaceMount, workspaceDir);
    if (!mapped.ok) return { ok: false, message: mapped.message };
    if (clean === workspaceMount || mapped.value === clean)
      return {
        ok: false,
        message: `output ${JSON.stringify(out.slice(0, 80))} must be a directory under ${workspaceMount}`,
      };
    if (step.outputs.some((o, j) => j !== i && nests(path.posix.normalize(o).replace(/\/+$/, ''), clean)))
      return { ok: false, message: `outputs of step ${step.id} nest or repeat (${out.slice(0, 80)})` };
    if (step.inputs.some((inp) => nests(path.posix.normalize(inp).replace(/\/+$/, ''), clean))) continue;
    staged.push({ containerPath: clean, staging: path.join(root, String(i)), target: mapped.value });
  }
  if (clearEarlier) await rm(stepDir, { recursive: true, force: true });
  for (const s of staged) await mkdir(s.staging, { recursive: true });
  return { ok: true, outputs: attemptOutputs(root, staged) };
}

export type StagedInvocation =
  | { readonly ok: true; readonly invocation: Invocation; readonly outputs: AttemptOutputs }
  | { readonly ok: false; readonly outcome: StepOutcome };

/**
 * What both executors do before they spawn: creates the attempt directories of `step` (see
 * prepareAttemptOutputs), then has `build` make the invocation with them as extra mounts (container
 * path → attempt directory). A step whose directories cannot be created, or whose invocation is
 * refused, gets the refusal as `outcome`, and nothing of the attempt is left behind.
 */
export async function stageInvocation(
  step: ContainerStep,
  ctx: StepRunContext,
  clearEarlier: boolean,
  build: (outputMounts: readonly ExtraMount[]) => InvocationResult,
): Promise<StagedInvocation> {
  const prepared = await prepareAttemptOutputs(
    step,
    ctx.workspaceDir,
    ctx.workspaceMount,
    ctx.runName,
    clearEarlier,
  ).catch((err: unknown) => ({
    ok: false as const,
    message: `could not create the attempt's output directories: ${(err as Error).message}`,
  }));
  if (!prepared.ok) return { ok: false, outcome: refusal('STEP_INVALID_INVOCATION', prepared.message) };
  const outputs = prepared.outputs;
  const built = build(outputs.staged.map((s) => ({ host: s.staging, container: s.containerPath })));
  if (!built.ok) {
    await outputs.discard();
    return { ok: false, outcome: refusal(built.code, built.message) };
  }
  return { ok: true, invocation: built.invocation, outputs };
}

function attemptOutputs(root: string, staged: readonly StagedOutput[]): AttemptOutputs {
  return {
    staged,
    async missing(): Promise<readonly string[]> {
      const out: string[] = [];
      for (const s of staged) if (!(await nonEmptyDir(s.staging))) out.push(s.containerPath);
      return out;
    },
    async commit(): Promise<void> {
      for (const [i, s] of staged.entries()) {
        const aside = path.join(root, `replaced-${i}`);
        await mkdir(path.dirname(s.target), { recursive: true });
        // The old output (an earlier attempt's, or docker's empty mount point) goes aside in one
        // rename, the new one takes its place in another: the target never holds a mix of both.
        await rename(s.target, aside).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        await rename(s.staging, s.target);
      }
      await removeAttemptDir(root);
    },
    async discard(): Promise<void> {
      await removeAttemptDir(root);
    },
  };
}

/** Removes an attempt's directory, then its step's and `.attempts` when they are left empty; never throws. */
async function removeAttemptDir(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true }).catch(() => undefined);
  const stepDir = path.dirname(root);
  // rmdir fails on a non-empty directory (another attempt's files): that one is kept.
  for (const dir of [stepDir, path.dirname(stepDir)]) {
    if (
      !(await rmdir(dir).then(
        () => true,
        () => false,
      ))
    )
      return;
  }
}

async function nonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory() && (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

/** After exit 0: every staged output must hold something (else STEP_OUTPUT_MISSING); then they move into place. */
export async function commitOutputs(
  step: ContainerStep,
  outputs: AttemptOutputs,
  result: ProcessResult,
): Promise<StepOutcome> {
  const missing = await outputs.missing();
  if (missing.length > 0) {
    await outputs.discard();
    return fencingFailure(
      'STEP_OUTPUT_MISSING',
      `step ${step.id} exited 0 but did not write ${missing.join(', ')}`,
      result,
    );
  }
  try {
    await outputs.commit();
  } catch (err) {
    await outputs.discard();
    return fencingFailure(
      'STEP_OUTPUT_COMMIT_FAILED',
      `step ${step.id}: moving its outputs into place failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      result,
    );
  }
  return { ok: true, result };
}
