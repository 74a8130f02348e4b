/**
 * The docker executor: runs a container step as `docker run --rm --name <runName> …` in the lane's
 * pinned image, labelled with its attempt (see container-labels.ts). Killing the docker CLI does
 * not stop its container, so on cancel, lock loss or timeout it also runs `docker rm -f <runName>`
 * (at once, and again after the client is gone unless the first one got it, to close the race with
 * a container that was still starting).
 *
 * Fencing, when the context carries attempt labels: before it starts, the step's earlier attempts
 * (containers of the same build and step, e.g. an orphan of a SIGKILLed worker, or the run of a
 * worker that lost the job's lock) are stopped, and a device still used by another live container
 * of this host is refused (STEP_GPU_BUSY). Declared outputs are written to attempt-scoped
 * directories and moved into place only on success (attempt-outputs.ts).
 */
import { execa } from 'execa';
import type { ContainerStep } from '../plan/types.js';
import { commitOutputs, stageInvocation } from './attempt-outputs.js';
import { classifyFailure, isSuccess } from './classify-failure.js';
import { checkAttemptLabels } from './container-labels.js';
import { createDockerFence, FenceError, type DockerFence } from './docker-fence.js';
import { fencingFailure, refusal } from './refusal.js';
import { runProcess } from './run-process.js';
import { dockerInvocation } from './step-invocation.js';
import type { AttemptLabels, StepExecutor, StepOutcome, StepRunContext } from './types.js';

export interface DockerExecutorOptions {
  /** Path or name of the docker CLI (tests put a fake first on PATH). Default `docker`. */
  readonly dockerBin?: string;
  /** Environment the docker CLI runs with (default: this process's); secrets are added per step. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SIGTERM → SIGKILL grace for the docker CLI. Default 5 s. */
  readonly forceKillAfterMs?: number;
  /** Limit for one `docker rm -f` (and each fence command). Default 15 s. */
  readonly killTimeoutMs?: number;
  /** The fence used for labelled runs. Default: a docker fence over the same CLI and environment. */
  readonly fence?: DockerFence;
}

/** Creates the docker executor. */
export function createDockerExecutor(options: DockerExecutorOptions = {}): StepExecutor {
  const dockerBin = options.dockerBin ?? 'docker';
  const baseEnv = options.env ?? process.env;
  const forceKillAfterMs = options.forceKillAfterMs ?? 5_000;
  const killTimeoutMs = options.killTimeoutMs ?? 15_000;
  const fence = options.fence ?? createDockerFence({ dockerBin, env: baseEnv, timeoutMs: killTimeoutMs });

  /** `docker rm -f <runName>` (returns once the container is gone); true when docker removed it. */
  const killContainer = async (runName: string): Promise<boolean> => {
    const r = await execa(dockerBin, ['rm', '-f', runName], {
      reject: false,
      env: baseEnv,
      extendEnv: false,
      stdin: 'ignore',
      timeout: killTimeoutMs,
      forceKillAfterDelay: 1_000,
    });
    return r.exitCode === 0;
  };

  return {
    name: 'docker',
    async run(step: ContainerStep, ctx: StepRunContext): Promise<StepOutcome> {
      let fenced = false;
      if (ctx.labels !== undefined) {
        const problem = checkAttemptLabels(ctx.labels);
        if (problem !== null) return refusal('STEP_INVALID_INVOCATION', problem);
        const blocked = await fenceEarlierAttempts(fence, ctx.labels, ctx);
        if (blocked !== null) return blocked;
        fenced = true;
      }
      const staged = await stageInvocation(step, ctx, fenced, (mounts) =>
        dockerInvocation(dockerBin, step, ctx, mounts),
      );
      if (!staged.ok) return staged.outcome;
      const { invocation: inv, outputs } = staged;
      const timeoutMs = step.timeoutSeconds * 1000;
      const kills: Promise<boolean>[] = [];
      const onAbort = (): void => {
        kills.push(killContainer(ctx.runName));
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(onAbort, timeoutMs);
      let result;
      try {
        result = await runProcess({
          file: inv.file,
          args: inv.args,
          env: { ...baseEnv, ...inv.env },
          timeoutMs,
          signal: ctx.signal,
          forceKillAfterMs,
          secretValues: Object.values(ctx.secrets),
          onLine: ctx.onLine,
        });
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
      }
      // The client is gone now, so no container can appear any more: remove it once more unless an
      // earlier attempt (on abort or at the deadline) already got it.
      const killed = (await Promise.all(kills)).some(Boolean);
      if (!killed && (result.canceled || result.timedOut || result.signal !== null)) await killContainer(ctx.runName);
      if (!isSuccess(result) || ctx.signal.aborted) {
        await outputs.discard();
        return isSuccess(result)
          ? { ok: false, failure: classifyFailure({ ...result, canceled: true }, 'docker') }
          : { ok: false, failure: classifyFailure(result, 'docker') };
      }
      return commitOutputs(step, outputs, result);
    },
  };
}

/**
 * Stops the earlier attempts of this step and checks the devices: null to go on, else the outcome.
 * A later attempt that is alive means this one is stale: it does not start.
 */
async function fenceEarlierAttempts(
  fence: DockerFence,
  labels: AttemptLabels,
  ctx: StepRunContext,
): Promise<StepOutcome | null> {
  try {
    // One listing serves both checks: this step's other containers, and the devices in use on this host.
    const all = await fence.list({});
    // Our own container does not exist yet: every container of this build and step is an earlier run (even one with our name).
    const same = all.filter((c) => c.attempt?.build === labels.build && c.attempt.step === labels.step);
    const later = same.find((c) => c.attempt !== null && c.attempt.attempt > labels.attempt);
    if (later)
      return fencingFailure(
        'STEP_FENCE_FAILED',
        `attempt ${later.attempt?.attempt} of step ${labels.step} is already running (container ${later.name}); attempt ${labels.attempt} is stale and does not start`,
      );
    const stopped = await fence.stop(same);
    for (const c of stopped) {
      const who = c.attempt ? `attempt ${c.attempt.attempt} of worker ${c.attempt.worker}` : 'an unlabelled attempt';
      ctx.onLine(
        `[orchestrator] stopped container ${c.name} (${who}) of step ${labels.step} before starting attempt ${labels.attempt}`,
        'stderr',
      );
    }
    const gone = new Set(same.map((c) => c.id));
    const busy = new Set(
      all.filter((c) => !gone.has(c.id) && c.attempt?.host === labels.host).flatMap((c) => c.gpuIds),
    );
    const clash = ctx.gpuIds.filter((id) => busy.has(id));
    if (clash.length > 0)
      return fencingFailure(
        'STEP_GPU_BUSY',
        `GPU(s) ${clash.join(',')} are still used by a live container on ${labels.host}; step ${labels.step} does not start on them`,
      );
    return null;
  } catch (err) {
    if (err instanceof FenceError) return fencingFailure('STEP_FENCE_FAILED', `${err.code}: ${err.message}`);
    throw err;
  }
}
