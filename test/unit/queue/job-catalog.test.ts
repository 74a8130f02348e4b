/**
 * The job catalog: which stages a plan's flow has and where each runs, the job ids, the job names
 * workers accept, and the attempts/retention of each job.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../../orchestrator/build/decide-outcome.js';
import {
  DEFAULT_WORKER_TUNING,
  JobName,
  buildIdOfJob,
  jobSettings,
  stageOfStep,
  stagesOf,
} from '../../../orchestrator/queue/job-catalog.js';

const plan = (...kinds: string[]) => ({
  builder: { gpuType: 'H100' as const },
  steps: kinds.map((kind) => ({ kind })),
});
const shape = (p: ReturnType<typeof plan>) =>
  stagesOf(p).map((s) => [s.name, s.queueName, s.jobId('0123456789abcdef-3')]);

describe('stagesOf', () => {
  it('gives a full plan fetch on io, its GPU steps on build-<GPU>, publish on io, in that order', () => {
    expect(shape(plan('fetch', 'convert', 'quantize', 'engine_build', 'publish'))).toEqual([
      ['fetch', 'io', '0123456789abcdef-3-fetch'],
      ['build', 'build-H100', '0123456789abcdef-3'],
      ['publish', 'io', '0123456789abcdef-3-publish'],
    ]);
  });

  it('leaves out a stage with no step: a plan without GPU steps never enters a GPU queue', () => {
    expect(shape(plan('fetch', 'publish')).map(([name]) => name)).toEqual(['fetch', 'publish']);
    expect(shape(plan('engine_build')).map(([name]) => name)).toEqual(['build']);
    expect(shape(plan())).toEqual([]);
  });

  it('puts every GPU step kind in the build stage and nothing else', () => {
    expect(['fetch', 'convert', 'quantize', 'engine_build', 'publish'].map(stageOfStep)).toEqual([
      'fetch',
      'build',
      'build',
      'build',
      'publish',
    ]);
  });
});

describe('job names and ids', () => {
  it('accepts exactly the three stage names', () => {
    expect(['fetch', 'build', 'publish'].map((n) => JobName.safeParse(n).success)).toEqual([true, true, true]);
    expect(['Build', 'mirror', ''].map((n) => JobName.safeParse(n).success)).toEqual([false, false, false]);
  });

  it('finds the build id behind any job id of its flow', () => {
    const id = '0123456789abcdef-12';
    expect([id, `${id}-fetch`, `${id}-publish`].map(buildIdOfJob)).toEqual([id, id, id]);
  });
});

describe('jobSettings and worker tuning', () => {
  it('keeps finished jobs as long as the build records (whole seconds, at least one)', () => {
    const s = jobSettings(90_500);
    expect(s.build).toEqual({
      attempts: DEFAULT_RETRY_POLICY.maxAttempts,
      backoff: { type: 'decided', delay: 1000 },
      removeOnComplete: { age: 91 },
      removeOnFail: { age: 91 },
    });
    expect([s.fetch.attempts, s.publish.attempts, s.fetch.backoff.delay]).toEqual([3, 3, 2000]);
    expect(jobSettings(1).build.removeOnComplete).toEqual({ age: 1 });
  });

  it("sets BullMQ's stall limit at the retry policy's attempts, so the policy decides a lost worker first", () => {
    expect(DEFAULT_WORKER_TUNING.maxStalledCount).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });
});
