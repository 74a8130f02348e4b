/**
 * The labels a step container carries (fencing): `trt-orchestrator=1` on every container this
 * service starts, plus the attempt's build, step, attempt, worker and host and the GPU devices it
 * was given. Pure: builds the `--label` argv and reads labels back from `docker inspect`.
 */
import type { AttemptLabels } from './types.js';

/** The label every container of this service carries (what the fence filters on). */
export const ORCHESTRATOR_LABEL = 'trt-orchestrator';
/** Label keys of one attempt. */
export const LABEL_KEYS = {
  build: 'trt-orchestrator.build',
  step: 'trt-orchestrator.step',
  attempt: 'trt-orchestrator.attempt',
  worker: 'trt-orchestrator.worker',
  host: 'trt-orchestrator.host',
  gpus: 'trt-orchestrator.gpus',
} as const;

/** Label values are plain tokens: safe in argv, in `docker ps --filter` and in logs. */
const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,199}$/;
/** Device ids as the executor accepts them (index, GPU- or MIG- UUID). */
const GPU_ID = /^(?:\d{1,3}|GPU-[0-9a-fA-F-]{8,64}|MIG-[0-9a-fA-F-]{8,64})$/;
/** Separator of device ids inside the `gpus` label (ids never contain it). */
const GPU_SEPARATOR = '+';

/** Can `v` be the value of one of our labels? (Values that cannot are never on a container we started.) */
export function isLabelValue(v: string): boolean {
  return LABEL_VALUE.test(v);
}

/** Null when `labels` can go on a container, else what is wrong (names the field, quotes no more than 80 chars). */
export function checkAttemptLabels(labels: AttemptLabels): string | null {
  for (const key of ['build', 'step', 'worker', 'host'] as const) {
    const v = labels[key];
    if (typeof v !== 'string' || !LABEL_VALUE.test(v))
      return `attempt label ${key} ${JSON.stringify(String(v).slice(0, 80))} must be 1-200 characters of [A-Za-z0-9_.:@+-], starting with a letter or digit`;
  }
  if (!Number.isSafeInteger(labels.attempt) || labels.attempt < 1)
    return `attempt label attempt must be a whole number ≥ 1 (got ${String(labels.attempt)})`;
  return null;
}

/** `--label k=v` pairs for a container of this attempt on `gpuIds` (labels must have passed `checkAttemptLabels`). */
export function labelArgs(labels: AttemptLabels, gpuIds: readonly string[]): string[] {
  const pairs: [string, string][] = [
    [ORCHESTRATOR_LABEL, '1'],
    [LABEL_KEYS.build, labels.build],
    [LABEL_KEYS.step, labels.step],
    [LABEL_KEYS.attempt, String(labels.attempt)],
    [LABEL_KEYS.worker, labels.worker],
    [LABEL_KEYS.host, labels.host],
    [LABEL_KEYS.gpus, gpuIds.join(GPU_SEPARATOR)],
  ];
  return pairs.flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}

/** The attempt a container belongs to, from its labels; null when they are not a complete, valid set. */
export function attemptFromLabels(labels: Readonly<Record<string, string>>): AttemptLabels | null {
  const attempt = Number(labels[LABEL_KEYS.attempt]);
  const out: AttemptLabels = {
    build: labels[LABEL_KEYS.build] ?? '',
    step: labels[LABEL_KEYS.step] ?? '',
    attempt,
    worker: labels[LABEL_KEYS.worker] ?? '',
    host: labels[LABEL_KEYS.host] ?? '',
  };
  return labels[ORCHESTRATOR_LABEL] === '1' &&
    /^\d{1,15}$/.test(labels[LABEL_KEYS.attempt] ?? '') &&
    checkAttemptLabels(out) === null
    ? out
    : null;
}

/** The device ids in a container's `gpus` label (invalid entries dropped). */
export function gpusFromLabels(labels: Readonly<Record<string, string>>): string[] {
  const v = labels[LABEL_KEYS.gpus] ?? '';
  return v === '' ? [] : v.split(GPU_SEPARATOR).filter((id) => GPU_ID.test(id));
}
