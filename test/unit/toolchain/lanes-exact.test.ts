/**
 * resolveLane and the tag helpers, exactly: the shape rules of every pin field (both sides of
 * each), which lane key a problem names, every problem's whole text, and the resolved lane's fields.
 */
import { describe, expect, it } from 'vitest';
import type { LaneOverrides, LaneProblem } from '../../../orchestrator/toolchain/lanes.js';
import { resolveLane, versionFromTag, versionInLane } from '../../../orchestrator/toolchain/lanes.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const OVERRIDE_PATH = 'trt_llm.version_overrides.engine_builder_version';

function problems(r: ReturnType<typeof resolveLane>): readonly LaneProblem[] {
  if (!('problems' in r)) throw new Error(`expected problems, got ${JSON.stringify(r)}`);
  return r.problems;
}
function resolved(r: ReturnType<typeof resolveLane>) {
  if (!('lane' in r)) throw new Error(`expected a lane, got ${JSON.stringify(r.problems)}`);
  return r;
}
const pinInvalid = (key: string, field: string, value: string, expected: string): LaneProblem => ({
  code: 'LANE_PIN_INVALID',
  path: `options.lanes.${key}.${field}`,
  message: `${field} ${JSON.stringify(value)} is not a valid ${expected}`,
});
/** Problems of one v1 pin field alone (an empty list: the value is accepted). */
const v1Field = (field: 'registry' | 'repository' | 'tag' | 'digest', value: string): readonly LaneProblem[] => {
  const r = resolveLane('v1-engine', null, 'x', { v1: { [field]: value, trtllmVersion: '1.2.1' } });
  return 'problems' in r ? r.problems : [];
};

describe('versionFromTag', () => {
  it.each([
    ['11.2.0', '11.2.0'],
    ['v10.2.3', '10.2.3'],
    ['1.2.10', '1.2.10'],
    ['1.2.0rc6.post1', '1.2.0rc6.post1'],
    ['release-1.2.0-py3', '1.2.0'],
  ])('%s carries %s', (tag, version) => expect(versionFromTag(tag)).toBe(version));
  it('needs three numeric parts', () => {
    expect(versionFromTag('1.2')).toBeUndefined();
    expect(versionFromTag('25.12-trtllm-python-py3')).toBeUndefined();
  });
});

describe('versionInLane', () => {
  it('1.2.<n> only, from the start', () => {
    for (const v of ['1.2.0', '1.2.1', '1.2.10', '1.2.0rc6']) expect(versionInLane(v), v).toBe(true);
    for (const v of ['1.2', '1.2.x', '1.20.0', '21.2.0', 'v1.2.0', '1.3.0']) expect(versionInLane(v), v).toBe(false);
  });
});

describe('pin field shapes', () => {
  it('registry: a lower-case host, optionally with a port', () => {
    for (const ok of ['nvcr.io', 'a', 'a:5000', 'registry.local:5000', 'my-host.example.com'])
      expect(v1Field('registry', ok), ok).toEqual([]);
    for (const bad of ['Bad Host', 'nvcr.io/x', 'nvcr.io:', 'host:123456', '-host', 'host-', 'NVCR.io'])
      expect(v1Field('registry', bad), bad).toEqual([pinInvalid('v1', 'registry', bad, 'registry host')]);
  });

  it('repository: lower-case path components with single separators', () => {
    for (const ok of ['steps', 'a.b', 'my-team.x/trt_llm-steps', 'team/trt-llm.steps', 'a/b/c'])
      expect(v1Field('repository', ok), ok).toEqual([]);
    for (const bad of ['team/Steps', 'Team/steps', 'a..b', 'a/', '/a', 'a/b-', 'a/-b', 'a b'])
      expect(v1Field('repository', bad), bad).toEqual([pinInvalid('v1', 'repository', bad, 'image repository')]);
  });

  it('tag: Docker tag characters, up to 128, not starting with . or -', () => {
    for (const ok of ['x', '_x', `a${'b'.repeat(127)}`, 'prod-2026.11_a']) expect(v1Field('tag', ok), ok).toEqual([]);
    for (const bad of ['-x', '.x', `a${'b'.repeat(128)}`, 'a b', 'a/b'])
      expect(v1Field('tag', bad), bad).toEqual([pinInvalid('v1', 'tag', bad, 'image tag')]);
  });

  it('digest: sha256: and 64 lower-case hex, nothing around it; null means none', () => {
    expect(v1Field('digest', DIGEST)).toEqual([]);
    for (const bad of [`x${DIGEST}`, `${DIGEST}0`, `${DIGEST.slice(0, -1)}`, DIGEST.toUpperCase(), 'md5:00'])
      expect(v1Field('digest', bad), bad).toEqual([pinInvalid('v1', 'digest', bad, 'digest (sha256: + 64 hex)')]);
    const l = resolved(resolveLane('v1-engine', null, 'x', { v1: { digest: null } })).lane;
    expect(l.digest).toBeNull();
    expect(l.image).toBe('nvcr.io/nvidia/tensorrt-llm/release:1.2.1');
  });

  it('every field of every pin is checked, each problem under its own lane key, in order', () => {
    const bad = { registry: 'Bad Host', repository: 'UPPER', tag: '-x', digest: 'md5:00' };
    const all = (key: string) => [
      pinInvalid(key, 'registry', 'Bad Host', 'registry host'),
      pinInvalid(key, 'repository', 'UPPER', 'image repository'),
      pinInvalid(key, 'tag', '-x', 'image tag'),
      pinInvalid(key, 'digest', 'md5:00', 'digest (sha256: + 64 hex)'),
    ];
    const pins: LaneOverrides = { v1: bad, v2: bad, steps: bad, triton: bad };
    expect(problems(resolveLane('v1-engine', null, 'x', pins))).toEqual([
      ...all('v1'),
      ...all('steps'),
      ...all('triton'),
    ]);
    expect(problems(resolveLane('v2-pytorch', null, 'x', pins))).toEqual([
      ...all('v2'),
      ...all('steps'),
      ...all('triton'),
    ]);
    // A lane checks only its own pin (and the image pins).
    expect(resolved(resolveLane('v2-pytorch', null, 'x', { v1: bad })).lane.image).toBe(
      'nvcr.io/nvidia/tensorrt-llm/release:1.2.1',
    );
    expect(resolved(resolveLane('v1-engine', null, 'x', { v2: bad })).lane.name).toBe('v1-engine');
  });

  it('valid image pins raise no problem; a null Triton pin is no pin', () => {
    const r = resolved(resolveLane('v1-engine', null, 'x', { steps: { registry: 'a:1', tag: '1.2.1' }, triton: null }));
    expect(r.lane.stepsImage).toBe('a:1/trt-orchestrator/trtllm-steps:1.2.1');
    expect(r.lane.tritonImage).toBeNull();
  });
});

describe('resolveLane: the resolved lane', () => {
  it('the default lane, with no notes', () => {
    expect(resolveLane('v2-pytorch', null, 'x')).toEqual({
      lane: {
        name: 'v2-pytorch',
        image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.1',
        registry: 'nvcr.io',
        repository: 'nvidia/tensorrt-llm/release',
        tag: '1.2.1',
        digest: null,
        trtllmVersion: '1.2.1',
        stepsImage: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1',
        tritonImage: null,
      },
      notes: [],
    });
  });

  it('a pinned image with its digest', () => {
    const r = resolved(
      resolveLane('v1-engine', null, 'x', {
        v1: { registry: 'registry.local:5000', repository: 'mirror/trtllm', tag: '1.2.0', digest: DIGEST },
      }),
    );
    expect(r.lane).toMatchObject({
      image: `registry.local:5000/mirror/trtllm:1.2.0@${DIGEST}`,
      registry: 'registry.local:5000',
      repository: 'mirror/trtllm',
      tag: '1.2.0',
      digest: DIGEST,
      trtllmVersion: '1.2.0',
    });
  });

  it('the version: the pin says it, else the pinned tag carries it', () => {
    expect(
      resolved(resolveLane('v2-pytorch', null, 'x', { v2: { tag: 'prod-2026-11', trtllmVersion: '1.2.0' } })).lane,
    ).toMatchObject({
      tag: 'prod-2026-11',
      trtllmVersion: '1.2.0',
      image: 'nvcr.io/nvidia/tensorrt-llm/release:prod-2026-11',
    });
    expect(
      resolved(resolveLane('v2-pytorch', null, 'x', { v2: { tag: '1.2.1', trtllmVersion: '1.2.0' } })).lane,
    ).toMatchObject({ trtllmVersion: '1.2.0' });
    expect(resolved(resolveLane('v2-pytorch', null, 'x', { v2: { tag: 'release-1.2.0' } })).lane.trtllmVersion).toBe(
      '1.2.0',
    );
    expect(resolved(resolveLane('v2-pytorch', null, 'x', { v2: { registry: 'a' } })).lane.trtllmVersion).toBe('1.2.1');
  });

  it("a user override replaces the pinned tag, drops the pin's digest and its version", () => {
    const r = resolved(
      resolveLane('v1-engine', '1.2.0rc6', OVERRIDE_PATH, {
        v1: { tag: 'prod', trtllmVersion: '1.2.1', digest: DIGEST },
      }),
    );
    expect(r.lane).toMatchObject({
      tag: '1.2.0rc6',
      digest: null,
      trtllmVersion: '1.2.0rc6',
      image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6',
    });
  });
});

describe('resolveLane: version problems, exactly', () => {
  const V1_WHY =
    'the v1 engine lane runs trtllm-build from the TensorRT-LLM 1.2.x line (the engine path was removed after 1.3.0rc20; older lines take other flags)';
  const V2_WHY = 'the v2 lane writes trtllm-serve options for the TensorRT-LLM 1.2.x surface';
  const outside = (path: string, tag: string, version: string, why: string): LaneProblem => ({
    code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
    path,
    message: `tag ${JSON.stringify(tag)} is TensorRT-LLM ${version}, outside this lane: ${why}; use a 1.2.x tag such as 1.2.1`,
  });
  const undated = (path: string, tag: string): LaneProblem => ({
    code: 'VERSION_OVERRIDE_UNPARSEABLE',
    path,
    message: `cannot tell which TensorRT-LLM version tag ${JSON.stringify(tag)} carries; use a tag such as 1.2.1`,
  });

  it('a user override outside the lane, per lane', () => {
    expect(problems(resolveLane('v1-engine', '1.3.0', OVERRIDE_PATH))).toEqual([
      outside(OVERRIDE_PATH, '1.3.0', '1.3.0', V1_WHY),
    ]);
    expect(problems(resolveLane('v2-pytorch', '1.1.0', 'p2'))).toEqual([outside('p2', '1.1.0', '1.1.0', V2_WHY)]);
  });

  it('a pinned tag outside the lane is reported at the pin, per lane', () => {
    expect(problems(resolveLane('v1-engine', null, 'x', { v1: { tag: '1.3.0' } }))).toEqual([
      outside('options.lanes.v1.tag', '1.3.0', '1.3.0', V1_WHY),
    ]);
    expect(problems(resolveLane('v2-pytorch', null, 'x', { v2: { tag: '0.21.0' } }))).toEqual([
      outside('options.lanes.v2.tag', '0.21.0', '0.21.0', V2_WHY),
    ]);
  });

  it('a tag that names no version', () => {
    expect(problems(resolveLane('v1-engine', 'latest', OVERRIDE_PATH))).toEqual([undated(OVERRIDE_PATH, 'latest')]);
    expect(problems(resolveLane('v1-engine', null, 'x', { v1: { tag: 'prod' } }))).toEqual([
      undated('options.lanes.v1.tag', 'prod'),
    ]);
  });

  it('an override that is not a tag: both problems, the tag one first', () => {
    expect(problems(resolveLane('v1-engine', 'a b', 'p'))).toEqual([
      { code: 'VERSION_OVERRIDE_UNPARSEABLE', path: 'p', message: '"a b" is not a valid image tag' },
      undated('p', 'a b'),
    ]);
    expect(problems(resolveLane('v1-engine', '1.2.1 x', 'p'))).toEqual([
      { code: 'VERSION_OVERRIDE_UNPARSEABLE', path: 'p', message: '"1.2.1 x" is not a valid image tag' },
    ]);
  });
});
