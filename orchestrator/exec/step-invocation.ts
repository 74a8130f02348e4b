/**
 * Pure construction of what an executor spawns for a container step: the `docker run` argv, the
 * local argv with workspace paths mapped to the host, and the child environment. Everything the
 * step or context carries is checked first, so a hostile plan (odd names, `..` paths, secrets
 * that would land in argv) is refused with a precise message instead of being run.
 */
import path from 'node:path';
import type { ContainerStep } from '../plan/types.js';
import { ORCHESTRATOR_LABEL, checkAttemptLabels, labelArgs } from './container-labels.js';
import type { StepRunContext } from './types.js';

/** An extra bind mount (attempt-scoped output directory mounted over an output path). */
export interface ExtraMount {
  readonly host: string;
  readonly container: string;
}

/** A spawn request: file + argv array (never a shell string) + the child's extra environment. */
export interface Invocation {
  readonly file: string;
  readonly args: readonly string[];
  /** Variables added to the child environment (secret values travel only here). */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory of the child (local executor: the host workspace). */
  readonly cwd: string | null;
}

export type InvocationResult =
  | { readonly ok: true; readonly invocation: Invocation }
  | { readonly ok: false; readonly code: 'STEP_INVALID_INVOCATION' | 'STEP_SECRET_MISSING'; readonly message: string };

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
const GPU_ID = /^(?:\d{1,3}|GPU-[0-9a-fA-F-]{8,64}|MIG-[0-9a-fA-F-]{8,64})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const IMAGE_REF = /^[a-z0-9][a-z0-9._\-/:@]{0,254}$/i;

/** Longest step timeout accepted (7 days); also keeps timers inside setTimeout's range. */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** Environment names the executor sets itself; a step may not claim them as secrets. */
const RESERVED_ENV = new Set([
  'PATH',
  'HOME',
  'CUDA_VISIBLE_DEVICES',
  'NVIDIA_VISIBLE_DEVICES',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'NODE_OPTIONS',
]);

/**
 * `docker run --rm --name <runName> --label trt-orchestrator=1 [--label <attempt labels>…]
 * [--gpus "device=<ids>"] --ipc=host --ulimit memlock=-1 --ulimit stack=67108864
 * -v <workspaceDir>:<mount> [-v <attempt dir>:<output> …] [-e NAME …] <image> <argv…>`; secret
 * values only in `env`, by name in argv.
 */
export function dockerInvocation(
  dockerBin: string,
  step: ContainerStep,
  ctx: StepRunContext,
  mounts: readonly ExtraMount[] = [],
): InvocationResult {
  const problem = checkCommon(step, ctx) ?? checkImage(step.image) ?? checkMounts(mounts, ctx.workspaceMount);
  if (problem) return problem;
  const labelProblem = ctx.labels === undefined ? null : checkAttemptLabels(ctx.labels);
  if (labelProblem !== null) return invalid(labelProblem);
  const secrets = pickSecrets(step, ctx);
  if (!secrets.ok) return secrets;
  const args = ['run', '--rm', '--name', ctx.runName];
  if (ctx.labels === undefined) args.push('--label', `${ORCHESTRATOR_LABEL}=1`);
  else args.push(...labelArgs(ctx.labels, ctx.gpuIds));
  // docker parses --gpus as CSV: several ids need the value itself quoted ("device=0,1").
  if (ctx.gpuIds.length > 0) args.push('--gpus', `"device=${ctx.gpuIds.join(',')}"`);
  args.push('--ipc=host', '--ulimit', 'memlock=-1', '--ulimit', 'stack=67108864');
  args.push('-v', `${ctx.workspaceDir}:${ctx.workspaceMount}`);
  for (const m of mounts) args.push('-v', `${m.host}:${m.container}`);
  for (const name of Object.keys(secrets.env)) args.push('-e', name);
  args.push(step.image, ...step.argv);
  return { ok: true, invocation: { file: dockerBin, args, env: secrets.env, cwd: null } };
}

/**
 * The step's argv run directly on this host: every argument that is the workspace mount or a path
 * under it (also `--flag=/workspace/…`) is rewritten to the host workspace directory;
 * `CUDA_VISIBLE_DEVICES` carries the assigned ids. Paths under an attempt-scoped output (`outputs`:
 * container path → attempt directory) go to the attempt's directory instead.
 */
export function localInvocation(
  step: ContainerStep,
  ctx: StepRunContext,
  outputs: readonly ExtraMount[] = [],
): InvocationResult {
  const problem = checkCommon(step, ctx) ?? checkMounts(outputs, ctx.workspaceMount);
  if (problem) return problem;
  const secrets = pickSecrets(step, ctx);
  if (!secrets.ok) return secrets;
  const mapped: string[] = [];
  for (const arg of step.argv) {
    // A path under an attempt-scoped output goes to the attempt's directory, the rest to the workspace.
    const out = outputs.find((o) => argValue(arg) === o.container || argValue(arg).startsWith(`${o.container}/`));
    const m = out ? mapArg(arg, out.container, out.host) : mapArg(arg, ctx.workspaceMount, ctx.workspaceDir);
    if (!m.ok) return invalid(m.message);
    mapped.push(m.value);
  }
  const [file, ...args] = mapped;
  if (file === undefined || file.length === 0) return invalid('the step has an empty argv');
  const env = { ...secrets.env, CUDA_VISIBLE_DEVICES: ctx.gpuIds.join(',') };
  return { ok: true, invocation: { file, args, env, cwd: ctx.workspaceDir } };
}

/** The value part of an argument (`--flag=value` → value). */
function argValue(arg: string): string {
  const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
  return eq === -1 ? arg : arg.slice(eq + 1);
}

/** Maps one argument's workspace-mount prefix to the host dir; refuses `..` escapes. */
export function mapArg(
  arg: string,
  mount: string,
  hostDir: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
  const prefix = eq === -1 ? '' : arg.slice(0, eq + 1);
  const value = eq === -1 ? arg : arg.slice(eq + 1);
  if (value !== mount && !value.startsWith(`${mount}/`)) return { ok: true, value: arg };
  const rest = value.slice(mount.length);
  if (rest.split('/').some((seg) => seg === '..')) {
    return { ok: false, message: `argument ${JSON.stringify(clip(arg))} leaves the workspace with ".."` };
  }
  return { ok: true, value: prefix + path.join(hostDir, rest) };
}

function checkCommon(step: ContainerStep, ctx: StepRunContext): Extract<InvocationResult, { ok: false }> | null {
  if (!DOCKER_NAME.test(ctx.runName))
    return invalid(
      `run name ${JSON.stringify(clip(ctx.runName))} is not a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]+, 2 to 128 chars)`,
    );
  for (const id of ctx.gpuIds) {
    if (!GPU_ID.test(id)) return invalid(`GPU id ${JSON.stringify(clip(id))} is not a device index or GPU-/MIG- UUID`);
  }
  if (new Set(ctx.gpuIds).size !== ctx.gpuIds.length)
    return invalid(`GPU ids ${ctx.gpuIds.join(',')} name a device twice`);
  if (step.gpus > ctx.gpuIds.length)
    return invalid(`step ${step.id} needs ${step.gpus} GPU(s) but ${ctx.gpuIds.length} were assigned`);
  if (!isCleanAbsolute(ctx.workspaceDir))
    return invalid(
      `workspace dir ${JSON.stringify(clip(ctx.workspaceDir))} must be an absolute path without "..", ":" or ","`,
    );
  if (!isCleanAbsolute(ctx.workspaceMount) || ctx.workspaceMount === '/')
    return invalid(
      `workspace mount ${JSON.stringify(clip(ctx.workspaceMount))} must be an absolute path (not /) without "..", ":" or ","`,
    );
  if (!Number.isInteger(step.timeoutSeconds) || step.timeoutSeconds < 1 || step.timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    return invalid(
      `step ${step.id} timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS} (got ${String(step.timeoutSeconds)})`,
    );
  }
  if (step.argv.length === 0) return invalid(`step ${step.id} has an empty argv`);
  for (const arg of step.argv) {
    if (arg.includes('\0')) return invalid(`step ${step.id} has an argument with a NUL byte`);
  }
  return null;
}

function checkMounts(
  mounts: readonly ExtraMount[],
  workspaceMount: string,
): Extract<InvocationResult, { ok: false }> | null {
  for (const m of mounts) {
    if (!isCleanAbsolute(m.host) || !isCleanAbsolute(m.container) || !m.container.startsWith(`${workspaceMount}/`)) {
      return invalid(
        `output mount ${JSON.stringify(clip(`${m.host}:${m.container}`))} must join two absolute paths without "..", ":" or "," under ${workspaceMount}`,
      );
    }
  }
  return null;
}

function checkImage(image: string): Extract<InvocationResult, { ok: false }> | null {
  return IMAGE_REF.test(image) && !image.startsWith('-')
    ? null
    : invalid(`image ${JSON.stringify(clip(image))} is not an image reference`);
}

/** The step's secret names with their values; a missing secret is an error naming it, never its value. */
function pickSecrets(
  step: ContainerStep,
  ctx: StepRunContext,
): { ok: true; env: Record<string, string> } | Extract<InvocationResult, { ok: false }> {
  const env: Record<string, string> = {};
  for (const name of step.secretEnv) {
    if (!ENV_NAME.test(name) || RESERVED_ENV.has(name))
      return invalid(`secret name ${JSON.stringify(clip(name))} is not a usable environment variable name`);
    const value = Object.prototype.hasOwnProperty.call(ctx.secrets, name) ? ctx.secrets[name] : undefined;
    if (value === undefined || value.length === 0) {
      return {
        ok: false,
        code: 'STEP_SECRET_MISSING',
        message: `step ${step.id} needs secret ${name}, which is not configured`,
      };
    }
    env[name] = value;
  }
  return { ok: true, env };
}

function isCleanAbsolute(p: string): boolean {
  return (
    path.posix.isAbsolute(p) &&
    !p.includes(':') &&
    !p.includes(',') &&
    !p.includes('\0') &&
    !p.split('/').includes('..')
  );
}

function invalid(message: string): Extract<InvocationResult, { ok: false }> {
  return { ok: false, code: 'STEP_INVALID_INVOCATION', message };
}

function clip(s: string): string {
  return s.length <= 80 ? s : `${s.slice(0, 80)}…`;
}
