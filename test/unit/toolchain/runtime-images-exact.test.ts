/**
 * stepsImageFor and tritonImageFor called directly: which image each pin yields, the version a
 * pinned tag carries (the whole `<n>.<n>.<n>[rc<n>]`), and every note's whole text.
 */
import { describe, expect, it } from 'vitest';
import type { LanePin } from '../../../orchestrator/toolchain/types.js';
import { stepsImageFor, tritonImageFor } from '../../../orchestrator/toolchain/runtime-images.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

function steps(lane: { tag: string; trtllmVersion: string }, pin: LanePin | undefined) {
  const notes: string[] = [];
  return { image: stepsImageFor(lane, pin, notes), notes };
}
function triton(laneVersion: string, pin: LanePin | null | undefined) {
  const notes: string[] = [];
  return { image: tritonImageFor(laneVersion, pin, notes), notes };
}

const LANE = { tag: '1.2.1', trtllmVersion: '1.2.1' };
const stepsNote = (repoTag: string, version: string, laneVersion: string) =>
  `step image pin ${repoTag} carries TensorRT-LLM ${version}, not the lane's ${laneVersion}; using the image built for the lane's tag instead`;
const tritonNote = (repoTag: string, version: string, laneVersion: string) =>
  `no Triton launch: the Triton runtime image ${repoTag} carries TensorRT-LLM ${version}, and an engine built by ${laneVersion} runs only under ${laneVersion}; build builder-image/Dockerfile.triton for ${laneVersion} and pin it in options.lanes.triton`;

describe('stepsImageFor', () => {
  it('no pin: the default repository at the lane tag', () => {
    expect(steps({ tag: 'prod', trtllmVersion: '1.2.0' }, undefined)).toEqual({
      image: 'ghcr.io/trt-orchestrator/trtllm-steps:prod',
      notes: [],
    });
  });

  it('a pin without a tag names the place; the tag follows the lane', () => {
    expect(steps(LANE, { registry: 'r.local:5000', repository: 'team/steps' })).toEqual({
      image: 'r.local:5000/team/steps:1.2.1',
      notes: [],
    });
  });

  it('a digest without a pinned tag is not used: it would pin one version under every lane tag', () => {
    // The tag follows the lane (a user override included); pulled by digest, the image would stay
    // the one version the digest was taken from.
    const note = `step image pin digest ${DIGEST} not used: without a pinned tag the step image follows the lane's tag; pin the tag with the digest`;
    expect(steps({ tag: '1.2.0', trtllmVersion: '1.2.0' }, { digest: DIGEST })).toEqual({
      image: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.0',
      notes: [note],
    });
    expect(steps(LANE, { registry: 'r', digest: DIGEST, trtllmVersion: '1.2.1' })).toEqual({
      image: 'r/trt-orchestrator/trtllm-steps:1.2.1',
      notes: [note],
    });
    expect(steps(LANE, { digest: null })).toEqual({ image: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1', notes: [] });
  });

  it("a pinned tag of the lane's version is used, with its digest", () => {
    expect(steps(LANE, { tag: 'steps-1.2.1-b7', digest: DIGEST })).toEqual({
      image: `ghcr.io/trt-orchestrator/trtllm-steps:steps-1.2.1-b7@${DIGEST}`,
      notes: [],
    });
    expect(steps(LANE, { tag: 'b7', trtllmVersion: '1.2.1' }).image).toBe('ghcr.io/trt-orchestrator/trtllm-steps:b7');
  });

  it('the version a tag carries is the whole version, rc included', () => {
    for (const v of ['11.2.0', '1.12.0', '1.2.10', '1.2.0rc6', '1.2.0rc12']) {
      expect(steps({ tag: 'lane', trtllmVersion: v }, { tag: `steps-${v}-x` }), v).toEqual({
        image: `ghcr.io/trt-orchestrator/trtllm-steps:steps-${v}-x`,
        notes: [],
      });
    }
  });

  it('a pinned tag of another version (or none) is not used, and the note says why', () => {
    expect(steps(LANE, { registry: 'r', repository: 'team/steps', tag: '1.2.0', digest: DIGEST })).toEqual({
      image: 'r/team/steps:1.2.1',
      notes: [stepsNote('team/steps:1.2.0', '1.2.0', '1.2.1')],
    });
    expect(steps(LANE, { tag: 'latest' })).toEqual({
      image: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1',
      notes: [stepsNote('trt-orchestrator/trtllm-steps:latest', '?', '1.2.1')],
    });
    expect(steps(LANE, { tag: '1.2.1', trtllmVersion: '1.2.0' }).notes).toEqual([
      stepsNote('trt-orchestrator/trtllm-steps:1.2.1', '1.2.0', '1.2.1'),
    ]);
  });
});

describe('tritonImageFor', () => {
  it('no pin: the default image, built for 1.2.1', () => {
    expect(triton('1.2.1', undefined)).toEqual({
      image: 'ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.1',
      notes: [],
    });
  });

  it('null: no Triton image configured', () => {
    expect(triton('1.2.1', null)).toEqual({
      image: null,
      notes: ['no Triton launch: the service configures no Triton runtime image (options.lanes.triton is null)'],
    });
  });

  it('another lane version than the default image: no Triton launch', () => {
    expect(triton('1.2.0', undefined)).toEqual({
      image: null,
      notes: [tritonNote('trt-orchestrator/tritonserver-trtllm:1.2.1', '1.2.1', '1.2.0')],
    });
  });

  it('a pin without a tag is the default tag and version at the pinned place', () => {
    expect(triton('1.2.1', { registry: 'r', repository: 'team/triton', digest: DIGEST })).toEqual({
      image: `r/team/triton:1.2.1@${DIGEST}`,
      notes: [],
    });
  });

  it("a pinned tag carrying the lane's version is used", () => {
    expect(triton('1.2.0', { tag: '1.2.0' })).toEqual({
      image: 'ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.0',
      notes: [],
    });
    expect(triton('1.2.0rc6', { tag: 'triton-1.2.0rc6' }).image).toBe(
      'ghcr.io/trt-orchestrator/tritonserver-trtllm:triton-1.2.0rc6',
    );
    expect(triton('1.2.1', { tag: '25.12-trtllm', trtllmVersion: '1.2.1' }).image).toBe(
      'ghcr.io/trt-orchestrator/tritonserver-trtllm:25.12-trtllm',
    );
  });

  it('a pinned tag of another version, or of none, is not used', () => {
    expect(triton('1.2.1', { repository: 'team/triton', tag: '1.2.10' })).toEqual({
      image: null,
      notes: [tritonNote('team/triton:1.2.10', '1.2.10', '1.2.1')],
    });
    expect(triton('1.2.1', { tag: 'latest' })).toEqual({
      image: null,
      notes: [tritonNote('trt-orchestrator/tritonserver-trtllm:latest', '(unknown)', '1.2.1')],
    });
  });
});
