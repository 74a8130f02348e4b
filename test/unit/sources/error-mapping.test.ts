import { describe, expect, it } from 'vitest';
import {
  SOURCE_ERROR_CODES,
  SourceError,
  redactUrl,
  scrubSecrets,
  toSourceError,
} from '../../../orchestrator/storage/sources/errors.js';
import { hfStatusError } from '../../../orchestrator/storage/sources/hf-errors.js';
import { s3Error } from '../../../orchestrator/storage/sources/s3-errors.js';
import { statusError } from '../../../orchestrator/storage/util/http-download.js';

const live = new AbortController().signal;

describe('error mapping', () => {
  it('maps hub X-Error-Code and bare statuses to distinct HF codes', () => {
    expect(hfStatusError(403, 'GatedRepo', 'x').code).toBe('HF_REPO_GATED');
    expect(hfStatusError(401, 'GatedRepo', 'x').code).toBe('HF_REPO_GATED');
    expect(hfStatusError(401, 'RepoNotFound', 'x').code).toBe('HF_REPO_UNAUTHORIZED');
    expect(hfStatusError(404, 'RepoNotFound', 'x').code).toBe('HF_REPO_NOT_FOUND');
    expect(hfStatusError(404, 'RevisionNotFound', 'x').code).toBe('HF_REVISION_NOT_FOUND');
    expect(hfStatusError(404, 'EntryNotFound', 'x').code).toBe('HF_FILE_NOT_FOUND');
    expect(hfStatusError(401, null, 'x').code).toBe('HF_REPO_UNAUTHORIZED');
    expect(hfStatusError(403, null, 'x').code).toBe('HF_REPO_GATED');
    expect(hfStatusError(404, null, 'x').code).toBe('HF_REPO_NOT_FOUND');
    expect(hfStatusError(502, null, 'x')).toMatchObject({ code: 'HTTP_SERVER_ERROR', retryable: true });
  });

  it('maps generic HTTP statuses', () => {
    expect(statusError(403, 'x').code).toBe('SOURCE_UNAUTHORIZED');
    expect(statusError(404, 'x').code).toBe('SOURCE_NOT_FOUND');
    expect(statusError(412, 'x')).toMatchObject({ code: 'ETAG_CHANGED', retryable: true });
    expect(statusError(429, 'x').retryable).toBe(true);
    expect(statusError(400, 'x')).toMatchObject({ code: 'HTTP_ERROR', retryable: false });
  });

  it('maps AWS SDK errors by name and status, without their messages', () => {
    const sdk = (name: string, status: number) =>
      Object.assign(new Error(`secret-ish message ${name}`), { name, $metadata: { httpStatusCode: status } });
    expect(s3Error(sdk('NoSuchBucket', 404), 'b', live, []).code).toBe('SOURCE_NOT_FOUND');
    expect(s3Error(sdk('InvalidAccessKeyId', 403), 'b', live, []).code).toBe('SOURCE_UNAUTHORIZED');
    expect(s3Error(sdk('PreconditionFailed', 412), 'b', live, []).code).toBe('ETAG_CHANGED');
    expect(s3Error(sdk('SlowDown', 503), 'b', live, []).retryable).toBe(true);
    expect(s3Error(sdk('NoSuchBucket', 404), 'b', live, []).message).not.toContain('secret-ish');
    const aborted = new AbortController();
    aborted.abort();
    expect(s3Error(new Error('x'), 'b', aborted.signal, []).code).toBe('FETCH_ABORTED');
  });

  it('scrubs secrets from wrapped errors and redacts URL queries and user info', () => {
    const e = toSourceError(new Error('failed with token hf_abcdef123'), { what: 'w', secrets: ['hf_abcdef123'] });
    expect(e).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(e.message).not.toContain('hf_abcdef123');
    expect(scrubSecrets('a-b-a', ['a'])).toBe('a-b-a'); // too short to scrub safely
    expect(redactUrl('https://user:pw@host/p/x.tar.gz?sig=abc')).toBe('https://host/p/x.tar.gz?…');
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });

  it('keeps retryability in the registry and in plain-data failures', () => {
    for (const [code, { retryable }] of Object.entries(SOURCE_ERROR_CODES)) {
      const err = new SourceError(code as keyof typeof SOURCE_ERROR_CODES, 'm');
      expect(err.toFailure()).toEqual({ code, message: 'm', retryable });
    }
    expect(SOURCE_ERROR_CODES.LFS_POINTER_INSTEAD_OF_WEIGHTS.retryable).toBe(false);
    expect(SOURCE_ERROR_CODES.DOWNLOAD_INTERRUPTED.retryable).toBe(true);
  });
});
