/**
 * The environment a worker hands to the processes it spawns for steps (the docker CLI, or the
 * TensorRT-LLM tools themselves with the local executor). Only variables those tools need pass;
 * the worker's own credentials (store keys, API tokens, HF tokens) never do. Secrets a step needs
 * are added per step, by name, by the executor.
 */

const ALLOWED_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'TZ',
  'TMPDIR',
  'TERM',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'PYTHONUNBUFFERED',
]);
const ALLOWED_PREFIXES = ['LC_', 'CUDA_', 'NVIDIA_', 'NCCL_', 'DOCKER_', 'XDG_'];

/**
 * Filters `env` down to what step processes may see. `passthrough` adds operator-chosen names
 * (`STEP_ENV_PASSTHROUGH`); an entry ending in `*` is a prefix. Pure.
 */
export function stepEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  passthrough: readonly string[] = [],
): Record<string, string> {
  const names = new Set([...ALLOWED_NAMES, ...passthrough.filter((p) => !p.endsWith('*'))]);
  const prefixes = [...ALLOWED_PREFIXES, ...passthrough.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1))];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (names.has(name) || prefixes.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}
