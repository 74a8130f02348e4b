/**
 * The local executor, for hosts that already are the TensorRT-LLM container: runs the step's argv
 * directly, with `/workspace/…` arguments mapped to the host workspace, the workspace as working
 * directory and `CUDA_VISIBLE_DEVICES` set to the assigned device ids. Declared outputs are written
 * to attempt-scoped directories (argv rewritten) and moved into place on success, as with docker.
 */
import type { ContainerStep } from '../plan/types.js';
import { commitOutputs, stageInvocation } from './attempt-outputs.js';
import { classifyFailure, isSuccess } from './classify-failure.js';
import { runProcess } from './run-process.js';
import { localInvocation } from './step-invocation.js';
import type { StepExecutor, StepOutcome, StepRunContext } from './types.js';

export interface LocalExecutorOptions {
  /** Environment the tools run with (default: this process's); secrets and CUDA_VISIBLE_DEVICES are added. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SIGTERM → SIGKILL grace. Default 5 s. */
  readonly forceKillAfterMs?: number;
}

/** Creates the local executor. */
export function createLocalExecutor(options: LocalExecutorOptions = {}): StepExecutor {
  const baseEnv = options.env ?? process.env;
  const forceKillAfterMs = options.forceKillAfterMs ?? 5_000;
  return {
    name: 'local',
    async run(step: ContainerStep, ctx: StepRunContext): Promise<StepOutcome> {
      const staged = await stageInvocation(step, ctx, false, (outputs) => localInvocation(step, ctx, outputs));
      if (!staged.ok) return staged.outcome;
      const { invocation: inv, outputs } = staged;
      const result = await runProcess({
        file: inv.file,
        args: inv.args,
        env: { ...baseEnv, ...inv.env },
        cwd: inv.cwd,
        timeoutMs: step.timeoutSeconds * 1000,
        signal: ctx.signal,
        forceKillAfterMs,
        secretValues: Object.values(ctx.secrets),
        onLine: ctx.onLine,
      });
      if (!isSuccess(result)) {
        await outputs.discard();
        return { ok: false, failure: classifyFailure(result, 'local') };
      }
      return commitOutputs(step, outputs, result);
    },
  };
}
