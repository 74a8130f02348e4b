import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../orchestrator/api/render-metrics.js';

describe('renderMetrics', () => {
  it('renders queue depth, builds by status, step histograms, cache counters and GPUs', () => {
    const text = renderMetrics({
      depths: { 'build-H100': { waiting: 3, active: 1 }, io: { waiting: 0, active: 2 } },
      byStatus: { queued: 3, running: 1, succeeded: 5, failed: 0, cancelled: 2 },
      snapshot: {
        steps: {
          'engine_build|sum': '120.5',
          'engine_build|count': '2',
          'engine_build|le|60': '1',
          'engine_build|le|300': '2',
        },
        counters: { cache_hits: '4' },
        gpus: { 'w"1': { gpuType: 'H100', total: 8, allocated: 3 } },
      },
    });
    expect(text).toContain('trt_queue_jobs{queue="build-H100",gpu_type="H100",state="waiting"} 3');
    expect(text).toContain('trt_queue_jobs{queue="io",gpu_type="",state="active"} 2');
    expect(text).toContain('trt_builds{status="succeeded"} 5');
    expect(text).toContain('trt_step_duration_seconds_bucket{kind="engine_build",le="10"} 0');
    expect(text).toContain('trt_step_duration_seconds_bucket{kind="engine_build",le="60"} 1');
    expect(text).toContain('trt_step_duration_seconds_bucket{kind="engine_build",le="+Inf"} 2');
    expect(text).toContain('trt_step_duration_seconds_sum{kind="engine_build"} 120.5');
    expect(text).toContain('trt_checkpoint_cache_hits_total 4');
    expect(text).toContain('trt_checkpoint_cache_misses_total 0');
    expect(text).toContain('trt_gpus{worker="w\\"1",gpu_type="H100",state="allocated"} 3');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[\d.]+)$/);
  });
});
