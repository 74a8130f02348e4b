/**
 * Prometheus text exposition (pure): queue depth per queue, builds by status, step duration
 * histograms, cache hits/misses, GPU allocation per worker.
 */
import type { BuildStatus } from '../records/build-view.js';
import type { MetricsSnapshot } from '../records/metrics-store.js';
import { STEP_DURATION_BUCKETS } from '../records/metrics-store.js';

export interface MetricsInput {
  readonly depths: Readonly<Record<string, { readonly waiting: number; readonly active: number }>>;
  readonly byStatus: Readonly<Record<BuildStatus, number>>;
  readonly snapshot: MetricsSnapshot;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Renders all service metrics in the Prometheus text format (version 0.0.4). */
export function renderMetrics(m: MetricsInput): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  family('trt_queue_jobs', 'gauge', 'Jobs per queue (build-<GPU type> and io) and state.');
  for (const [q, d] of Object.entries(m.depths).sort(([a], [b]) => a.localeCompare(b))) {
    const gpu = q.startsWith('build-') ? q.slice('build-'.length) : '';
    out.push(`trt_queue_jobs{queue="${esc(q)}",gpu_type="${esc(gpu)}",state="waiting"} ${d.waiting}`);
    out.push(`trt_queue_jobs{queue="${esc(q)}",gpu_type="${esc(gpu)}",state="active"} ${d.active}`);
  }
  family('trt_builds', 'gauge', 'Builds by status.');
  for (const [s, n] of Object.entries(m.byStatus)) out.push(`trt_builds{status="${s}"} ${n}`);

  family('trt_step_duration_seconds', 'histogram', 'Duration of finished build steps by kind.');
  const kinds = new Set(Object.keys(m.snapshot.steps).map((k) => k.split('|')[0] ?? ''));
  for (const kind of [...kinds].sort()) {
    const get = (suffix: string): number => Number(m.snapshot.steps[`${kind}|${suffix}`] ?? '0');
    const k = esc(kind);
    for (const b of STEP_DURATION_BUCKETS)
      out.push(`trt_step_duration_seconds_bucket{kind="${k}",le="${b}"} ${get(`le|${b}`)}`);
    out.push(`trt_step_duration_seconds_bucket{kind="${k}",le="+Inf"} ${get('count')}`);
    out.push(`trt_step_duration_seconds_sum{kind="${k}"} ${get('sum')}`);
    out.push(`trt_step_duration_seconds_count{kind="${k}"} ${get('count')}`);
  }
  family('trt_checkpoint_cache_hits_total', 'counter', 'Fetched items served from the local checkpoint cache.');
  out.push(`trt_checkpoint_cache_hits_total ${Number(m.snapshot.counters['cache_hits'] ?? '0')}`);
  family('trt_checkpoint_cache_misses_total', 'counter', 'Fetched items downloaded from their source.');
  out.push(`trt_checkpoint_cache_misses_total ${Number(m.snapshot.counters['cache_misses'] ?? '0')}`);
  family('trt_gpus', 'gauge', 'GPU devices per worker: total and allocated to builds.');
  for (const [w, g] of Object.entries(m.snapshot.gpus).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`trt_gpus{worker="${esc(w)}",gpu_type="${esc(g.gpuType)}",state="total"} ${g.total}`);
    out.push(`trt_gpus{worker="${esc(w)}",gpu_type="${esc(g.gpuType)}",state="allocated"} ${g.allocated}`);
  }
  return `${out.join('\n')}\n`;
}
