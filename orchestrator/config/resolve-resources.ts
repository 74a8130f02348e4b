/**
 * `resources` → GPU type and count, node count, cpu and memory, with the format checks for each
 * field. `instance_type` overrides `accelerator`, `cpu` and `memory`. Pure.
 */
import { parseAccelerator, parseInstanceType } from '../gpu/parse-accelerator.js';
import type { Resources } from './schema/resources.js';
import type { Finding, ResolvedResources } from './rules/types.js';
import type { PathSegment } from './yaml-source.js';

const CPU = /^(?:[0-9]+(?:\.[0-9]+)?|[0-9]+m)$/;
const MEMORY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const MEMORY_FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
/** Truss raises `resources.memory` below this to 10Gi for TRT-LLM builds. */
export const TRT_LLM_MIN_MEMORY_BYTES = 10 * 2 ** 30;

/** Bytes in a memory quantity such as `10Gi`, or undefined when malformed. */
export function memoryBytes(text: string): number | undefined {
  const m = MEMORY.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (MEMORY_FACTOR[m[2] ?? ''] ?? 1);
}

export interface ResolvedResourcesResult {
  readonly resources: ResolvedResources;
  readonly acceleratorPath: readonly PathSegment[];
  readonly findings: Finding[];
}

/** Resolves validated `resources` input; `hasTrtLlm` turns on the TRT-LLM-specific checks. */
export function resolveResources(input: Resources, hasTrtLlm: boolean): ResolvedResourcesResult {
  const findings: Finding[] = [];
  let accelerator: ResolvedResources['accelerator'] = null;
  let acceleratorPath: PathSegment[] = ['resources', 'accelerator'];
  let acceleratorBroken = false;
  if (typeof input.accelerator === 'string') {
    const parsed = parseAccelerator(input.accelerator);
    if (parsed.ok) accelerator = { type: parsed.type, count: parsed.count };
    else {
      acceleratorBroken = true;
      findings.push({ code: parsed.code, severity: 'error', path: acceleratorPath, message: parsed.message });
    }
  }
  let cpu = input.cpu === undefined || input.cpu === null ? null : String(input.cpu);
  let memory = input.memory ?? null;
  if (cpu !== null && !CPU.test(cpu)) {
    findings.push({
      code: 'CPU_INVALID',
      severity: 'error',
      path: ['resources', 'cpu'],
      message: `cpu must be a number of cores such as 1, 2.5 or 500m (got ${JSON.stringify(cpu)})`,
    });
  }
  if (memory !== null && memoryBytes(memory) === undefined) {
    findings.push({
      code: 'MEMORY_INVALID',
      severity: 'error',
      path: ['resources', 'memory'],
      message: `memory must be a quantity such as 10Gi, 512Mi or 16G (got ${JSON.stringify(memory)})`,
    });
  }
  const instanceType = input.instance_type ?? null;
  if (instanceType !== null) {
    const parsed = parseInstanceType(instanceType);
    if (!parsed.ok) {
      acceleratorBroken = true;
      findings.push({
        code: parsed.code,
        severity: 'error',
        path: ['resources', 'instance_type'],
        message: parsed.message,
      });
    } else {
      if (
        parsed.gpu &&
        accelerator &&
        (parsed.gpu.type !== accelerator.type || parsed.gpu.count !== accelerator.count)
      ) {
        findings.push({
          code: 'INSTANCE_TYPE_OVERRIDES_ACCELERATOR',
          severity: 'warning',
          path: ['resources', 'accelerator'],
          message: `instance_type ${instanceType} overrides accelerator ${input.accelerator ?? ''}; remove one of them`,
        });
      }
      accelerator = parsed.gpu;
      acceleratorPath = ['resources', 'instance_type'];
      acceleratorBroken = false;
      cpu = String(parsed.cpu);
      memory = `${parsed.memoryGiB}Gi`;
    }
  }
  if (hasTrtLlm) {
    if (accelerator === null && !acceleratorBroken) {
      findings.push({
        code: 'ACCELERATOR_REQUIRED',
        severity: 'error',
        path: input.instance_type ? ['resources', 'instance_type'] : ['resources'],
        message:
          'trt_llm needs a GPU: an engine is compiled for one GPU type; set resources.accelerator, e.g. H100 or H100:2',
        at: 'key',
      });
    }
    const bytes = memory === null ? undefined : memoryBytes(memory);
    if (bytes !== undefined && bytes < TRT_LLM_MIN_MEMORY_BYTES) {
      findings.push({
        code: 'MEMORY_BELOW_TRT_LLM_MINIMUM',
        severity: 'warning',
        path: ['resources', 'memory'],
        message: `memory ${memory ?? ''} is below the 10Gi TRT-LLM minimum; Truss raises it to 10Gi`,
      });
    }
  }
  return {
    resources: { accelerator, node_count: input.node_count, cpu, memory, instance_type: instanceType },
    acceleratorPath,
    findings,
  };
}
