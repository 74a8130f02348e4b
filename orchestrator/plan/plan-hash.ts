/**
 * The plan hash: sha256 over a canonical JSON form of everything that changes what is built and
 * published — lane image, stack, target GPU (type, SM, count), builder GPUs, each step's kind,
 * image, argv, GPU count and fetch sources, and the launch configs. Descriptions, timeouts,
 * secret names and assumptions are left out, and so is anything machine-specific (every path is
 * a fixed workspace path). Hashing is deterministic, so the planner stays pure.
 */
import { createHash } from 'node:crypto';
import type { BuildPlan, PlanStep } from './types.js';

/**
 * JSON with object keys sorted at every level (arrays keep their order; undefined object members
 * are dropped and an undefined array item is `null`, as in JSON.stringify).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i] as unknown);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** A step kind the switch does not handle is a compile error here (and a throw if one arrives at run time). */
function unreachableStep(step: never): never {
  throw new Error(`plan hash: unknown step kind ${JSON.stringify((step as { kind?: unknown }).kind)}`);
}

/** What of a step changes the artifacts; every kind is listed, so a new kind must be added here. */
function stepIdentity(step: PlanStep): unknown {
  const base = {
    id: step.id,
    kind: step.kind,
    image: step.image,
    argv: step.argv,
    gpus: step.gpus,
    inputs: step.inputs,
    outputs: step.outputs,
  };
  switch (step.kind) {
    case 'fetch':
      return { ...base, items: step.items.map(({ secretName: _secret, ...item }) => item) };
    case 'publish':
      return {
        ...base,
        artifactDir: step.artifactDir,
        artifactKind: step.artifactKind,
        tokenizerDir: step.tokenizerDir ?? null,
      };
    case 'convert':
    case 'quantize':
    case 'engine_build':
      return base;
    default:
      return unreachableStep(step);
  }
}

/** The hash input: the plan without its hash and without fields that do not change artifacts. */
export function planHashInput(plan: Omit<BuildPlan, 'planHash'>): string {
  const { registry, repository, tag, digest, trtllmVersion, name, stepsImage, tritonImage } = plan.lane;
  return canonicalJson({
    schemaVersion: plan.schemaVersion,
    stack: plan.stack,
    baseModel: plan.baseModel,
    accelerator: plan.accelerator,
    builder: plan.builder,
    lane: { name, registry, repository, tag, digest, trtllmVersion, stepsImage, tritonImage },
    workspace: plan.workspace,
    steps: plan.steps.map(stepIdentity),
    launch: plan.launch,
  });
}

/** `sha256:` + 64 hex of the canonical plan. */
export function planHash(plan: Omit<BuildPlan, 'planHash'>): string {
  return `sha256:${createHash('sha256').update(planHashInput(plan)).digest('hex')}`;
}
