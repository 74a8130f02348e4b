import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../../orchestrator/storage/artifacts/scrub-secrets.js';

describe('scrubSecrets', () => {
  it('replaces every occurrence of each secret, longest first', () => {
    expect(scrubSecrets('key=abcd1234 again abcd1234 and abcd', ['abcd', 'abcd1234'])).toBe(
      'key=*** again *** and ***',
    );
  });
  it('ignores empty, missing and very short secrets', () => {
    expect(scrubSecrets('a b c', ['', undefined, null, 'a'])).toBe('a b c');
  });
  it('treats secrets literally (no regex metacharacters)', () => {
    expect(scrubSecrets('x.*+?y and x.*+?y', ['x.*+?y'])).toBe('*** and ***');
  });
});
