/**
 * The docker executor: runs a container step as `docker run --rm --name <runName> …` in the lane's
 * pinned image. Killing the docker CLI does not stop its container, so on cancel or timeout it also
 * runs `docker kill <runName>` (at once, and again after the client is gone unless the first kill
 * got it, to close the race with a container that was still starting).
 */
import { execa } from 'execa';
import type { ContainerStep } from '../plan/types.js';
import { classifyFailure, isSuccess } from './classify-failure.js';
import { runProcess } from './run-process.js';
import { dockerInvocation } from './step-invocation.js';
import { refusal } from './refusal.js';
import type { StepExecutor, StepOutcome, StepRunContext } from './types.js';

export interface DockerExecutorOptions {
  /** Path or name of the docker CLI (tests put a fake first on PATH). Default `docker`. */
  readonly dockerBin?: string;
  /** Environment the docker CLI runs with (default: this process's); secrets are added per step. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SIGTERM → SIGKILL grace for the docker CLI. Default 5 s. */
  readonly forceKillAfterMs?: number;
  /** Limit for one `docker kill`. Default 15 s. */
  readonly killTimeoutMs?: number;
}

/** Creates the docker executor. */
export function createDockerExecutor(options: DockerExecutorOptions = {}): StepExecutor {
  const dockerBin = options.dockerBin ?? 'docker';
  const baseEnv = options.env ?? process.env;
  const forceKillAfterMs = options.forceKillAfterMs ?? 5_000;
  const killTimeoutMs = options.killTimeoutMs ?? 15_000;

  /** `docker kill <runName>`; true when docker says it killed the container. */
  const killContainer = async (runName: string): Promise<boolean> => {
    const r = await execa(dockerBin, ['kill', runName], { reject: false, env: baseEnv, extendEnv: false, stdin: 'ignore', timeout: killTimeoutMs, forceKillAfterDelay: 1_000 });
    return r.exitCode === 0;
  };

  return {
    name: 'docker',
    async run(step: ContainerStep, ctx: StepRunContext): Promise<StepOutcome> {
      const built = dockerInvocation(dockerBin, step, ctx);
      if (!built.ok) return refusal(built.code, built.message);
      const inv = built.invocation;
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
      // The client is gone now, so no container can appear any more: kill once more unless an
      // earlier kill (on abort or at the deadline) already got it.
      const killed = (await Promise.all(kills)).some(Boolean);
      if (!killed && (result.canceled || result.timedOut || result.signal !== null)) await killContainer(ctx.runName);
      return isSuccess(result) ? { ok: true, result } : { ok: false, failure: classifyFailure(result, 'docker') };
    },
  };
}
