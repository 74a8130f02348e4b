/** The step and Triton images of a lane: same TensorRT-LLM version as the engine, or no Triton launch and the reason. */
import { describe, expect, it } from 'vitest';
import { resolveLane } from '../../../orchestrator/toolchain/lanes.js';
import { V1, plan } from '../plan/fixtures.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('runtime images', () => {
  it('the step image follows the lane tag; the Triton image is the 1.2.1 backend build', () => {
    const r = resolveLane('v1-engine', null, 'x');
    expect(r).toMatchObject({
      lane: {
        stepsImage: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1',
        tritonImage: 'ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.1',
      },
      notes: [],
    });
    const over = resolveLane('v1-engine', '1.2.0', 'trt_llm.version_overrides.engine_builder_version');
    expect(over).toMatchObject({
      lane: { stepsImage: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.0', tritonImage: null },
    });
    expect('notes' in over ? over.notes.join(' ') : '').toMatch(
      /no Triton launch: .*carries TensorRT-LLM 1\.2\.1.*built by 1\.2\.0/,
    );
  });

  it('service pins name the images, with digests', () => {
    const r = resolveLane('v1-engine', null, 'x', {
      steps: { registry: 'registry.local:5000', repository: 'team/steps', tag: '1.2.1', digest: DIGEST },
      triton: {
        registry: 'registry.local:5000',
        repository: 'team/triton',
        tag: 'r1',
        trtllmVersion: '1.2.1',
        digest: DIGEST,
      },
    });
    expect(r).toMatchObject({
      lane: {
        stepsImage: `registry.local:5000/team/steps:1.2.1@${DIGEST}`,
        tritonImage: `registry.local:5000/team/triton:r1@${DIGEST}`,
      },
    });
  });

  it('a step image pinned to another version is not used', () => {
    const r = resolveLane('v2-pytorch', null, 'x', { steps: { tag: '1.2.0' } });
    expect(r).toMatchObject({ lane: { stepsImage: 'ghcr.io/trt-orchestrator/trtllm-steps:1.2.1' } });
    expect('notes' in r ? r.notes[0] : '').toMatch(/carries TensorRT-LLM 1\.2\.0, not the lane's 1\.2\.1/);
  });

  it('invalid image pins are lane problems', () => {
    const r = resolveLane('v1-engine', null, 'x', { triton: { repository: 'Bad Repo' } });
    expect(r).toEqual({
      problems: [expect.objectContaining({ code: 'LANE_PIN_INVALID', path: 'options.lanes.triton.repository' })],
    });
  });

  it('a plan without a Triton image has no Triton launch and says why', () => {
    const p = plan(V1, { lanes: { triton: null } });
    expect(Object.keys(p.launch)).toEqual(['trtllm-serve']);
    expect(p.assumptions.join('\n')).toMatch(/no Triton launch: the service configures no Triton runtime image/);
    const mismatched = plan(V1, { lanes: { triton: { tag: '25.12-trtllm-python-py3', trtllmVersion: '1.1.0' } } });
    expect(mismatched.launch['triton']).toBeUndefined();
    expect(mismatched.assumptions.join('\n')).toMatch(/TensorRT-LLM 1\.1\.0/);
    expect(plan(V1).launch['triton']?.image).toBe('ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.1');
  });
});
