import { describe, expect, it } from 'vitest';
import { stepEnvironment } from '../../../orchestrator/main/step-environment.js';

describe('stepEnvironment', () => {
  it('keeps what the tools need', () => {
    const env = stepEnvironment({
      PATH: '/usr/bin',
      HOME: '/root',
      CUDA_VISIBLE_DEVICES: '0',
      NCCL_DEBUG: 'INFO',
      DOCKER_HOST: 'unix:///x',
      LC_ALL: 'C',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      CUDA_VISIBLE_DEVICES: '0',
      NCCL_DEBUG: 'INFO',
      DOCKER_HOST: 'unix:///x',
      LC_ALL: 'C',
    });
  });

  it("drops the worker's credentials and unset values", () => {
    const env = stepEnvironment({
      PATH: '/usr/bin',
      API_TOKENS: 'tok-0123456789abcdef',
      AWS_SECRET_ACCESS_KEY: 'planted-aws-secret',
      HF_TOKEN: 'hf_planted',
      hf_access_token: 'hf_planted',
      REDIS_URL: 'redis://:password@host',
      EMPTY: undefined,
    });
    expect(env).toEqual({ PATH: '/usr/bin' });
    expect(JSON.stringify(env)).not.toContain('planted');
  });

  it('lets operator-chosen names and prefixes through', () => {
    const env = stepEnvironment({ PATH: '/bin', FAKE_DOCKER_FAIL: 'hang', MY_FLAG: '1', OTHER: 'x' }, [
      'FAKE_DOCKER_*',
      'MY_FLAG',
    ]);
    expect(env).toEqual({ PATH: '/bin', FAKE_DOCKER_FAIL: 'hang', MY_FLAG: '1' });
  });
});
