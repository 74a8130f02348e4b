import { describe, expect, it } from 'vitest';
import { resolveLane, versionFromTag, versionInLane } from '../../../orchestrator/toolchain/lanes.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function lane(r: ReturnType<typeof resolveLane>) {
  if (!('lane' in r)) throw new Error(`expected a lane, got ${JSON.stringify(r.problems)}`);
  return r.lane;
}
function problems(r: ReturnType<typeof resolveLane>) {
  if (!('problems' in r)) throw new Error('expected problems');
  return r.problems;
}

describe('versionFromTag / versionInLane', () => {
  it.each([
    ['1.2.1', '1.2.1'],
    ['1.2.0rc6', '1.2.0rc6'],
    ['release-1.2.0-py3', '1.2.0'],
    ['trtllm-gpu-1.3.0rc2-6bfe58f1a-d40e7fc8d3', '1.3.0rc2'],
    ['0.20.0.post13.dev3', '0.20.0.post13.dev3'],
  ])('%s carries %s', (tag, version) => expect(versionFromTag(tag)).toBe(version));
  it('finds no version in a commit-only tag', () =>
    expect(versionFromTag('trtllm-gpu-1a74135-ce41f06c')).toBeUndefined());
  it('accepts only the 1.2 line', () => {
    expect(versionInLane('1.2.0rc6')).toBe(true);
    expect(versionInLane('1.3.0rc20')).toBe(false);
    expect(versionInLane('0.20.0')).toBe(false);
    expect(versionInLane('11.2.0')).toBe(false);
  });
});

describe('resolveLane', () => {
  it('pins both lanes to the NGC 1.2.1 release image by default', () => {
    for (const name of ['v1-engine', 'v2-pytorch'] as const) {
      const l = lane(resolveLane(name, null, 'x'));
      expect(l).toEqual({
        name,
        image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.1',
        registry: 'nvcr.io',
        repository: 'nvidia/tensorrt-llm/release',
        tag: '1.2.1',
        digest: null,
        trtllmVersion: '1.2.1',
        stepsImage: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1',
        tritonImage: name === 'v1-engine' ? 'ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.1' : null,
      });
    }
  });

  it('applies service pins, including a digest', () => {
    const l = lane(
      resolveLane('v1-engine', null, 'x', {
        v1: { registry: 'registry.local:5000', repository: 'mirror/trtllm', tag: '1.2.0', digest: DIGEST },
      }),
    );
    expect(l.image).toBe(`registry.local:5000/mirror/trtllm:1.2.0@${DIGEST}`);
    expect(l.trtllmVersion).toBe('1.2.0');
  });

  it('takes trtllmVersion from the service when the tag does not carry it', () => {
    const l = lane(resolveLane('v2-pytorch', null, 'x', { v2: { tag: 'prod-2026-11', trtllmVersion: '1.2.1' } }));
    expect(l.tag).toBe('prod-2026-11');
  });

  it('lets a user override select another 1.2 tag and drops the pinned digest', () => {
    const l = lane(
      resolveLane('v1-engine', '1.2.0rc6', 'trt_llm.version_overrides.engine_builder_version', {
        v1: { digest: DIGEST },
      }),
    );
    expect(l).toMatchObject({
      tag: '1.2.0rc6',
      digest: null,
      trtllmVersion: '1.2.0rc6',
      image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6',
    });
  });

  it('refuses a v1 override outside the 1.2 line, saying why', () => {
    const [p] = problems(
      resolveLane('v1-engine', '0.20.0.post13.dev3', 'trt_llm.version_overrides.engine_builder_version'),
    );
    expect(p).toMatchObject({
      code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
      path: 'trt_llm.version_overrides.engine_builder_version',
    });
    expect(p?.message).toMatch(
      /TensorRT-LLM 0\.20\.0\.post13\.dev3, outside this lane: the v1 engine lane runs trtllm-build/,
    );
  });

  it('refuses a v2 override it cannot date', () => {
    const [p] = problems(
      resolveLane('v2-pytorch', 'trtllm-gpu-1a74135-ce41f06c', 'trt_llm.version_overrides.v2_llm_version'),
    );
    expect(p).toMatchObject({ code: 'VERSION_OVERRIDE_UNPARSEABLE', path: 'trt_llm.version_overrides.v2_llm_version' });
  });

  it('refuses an override that is not an image tag', () => {
    const ps = problems(resolveLane('v1-engine', '1.2.1; rm -rf /', 'p'));
    expect(ps.map((p) => p.code)).toContain('VERSION_OVERRIDE_UNPARSEABLE');
    expect(ps[0]?.message).toMatch(/not a valid image tag/);
  });

  it('reports every invalid service pin field', () => {
    const ps = problems(
      resolveLane('v1-engine', null, 'x', {
        v1: { registry: 'Bad Host', repository: 'UPPER/case', tag: '-x', digest: 'md5:00' },
      }),
    );
    expect(ps.map((p) => p.path)).toEqual([
      'options.lanes.v1.registry',
      'options.lanes.v1.repository',
      'options.lanes.v1.tag',
      'options.lanes.v1.digest',
    ]);
  });

  it('refuses a service tag outside the lane', () => {
    expect(problems(resolveLane('v2-pytorch', null, 'x', { v2: { tag: '1.3.0' } }))[0]).toMatchObject({
      code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
      path: 'options.lanes.v2.tag',
    });
  });
});
