import { describe, expect, it } from 'vitest';
import { failureFromThrown } from '../../../orchestrator/queue/failure-data.js';

describe('failureFromThrown', () => {
  it('keeps a storage error code, message, advice and retryable flag', () => {
    const err = Object.assign(new Error('repo is gated'), { code: 'HF_REPO_GATED', retryable: false, advice: 'request access' });
    expect(failureFromThrown(err, 'FETCH_FAILED')).toEqual({ error: { code: 'HF_REPO_GATED', message: 'repo is gated', advice: 'request access' }, retryable: false });
  });

  it('uses the fallback code for non-stable codes (e.g. errno) and defaults to retryable', () => {
    const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(failureFromThrown(err, 'FETCH_FAILED')).toEqual({ error: { code: 'ECONNRESET', message: 'socket hang up', advice: null }, retryable: true });
    expect(failureFromThrown(Object.assign(new Error('x'), { code: 'lower-case' }), 'PUBLISH_FAILED').error.code).toBe('PUBLISH_FAILED');
    expect(failureFromThrown('a string', 'PUBLISH_FAILED')).toEqual({ error: { code: 'PUBLISH_FAILED', message: 'a string', advice: null }, retryable: true });
    expect(failureFromThrown({ message: 'x'.repeat(5000) }, 'FETCH_FAILED').error.message).toHaveLength(2000);
  });
});
