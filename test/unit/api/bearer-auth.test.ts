import { describe, expect, it } from 'vitest';
import { bearerChecker } from '../../../orchestrator/api/bearer-auth.js';

describe('bearerChecker', () => {
  const check = bearerChecker(['alpha-token', 'beta-token', '']);

  it('accepts any configured token', () => {
    expect(check('Bearer alpha-token')).toBe(true);
    expect(check('Bearer beta-token')).toBe(true);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer\talpha-token',
    'Beareralpha-token',
    'Bearer alpha-token ',
    'Bearer alpha',
    'Bearer alpha-tokenX',
    'Basic alpha-token',
    `Bearer ${'a'.repeat(600)}`,
    'Bearer alpha\u00e9',
  ])('rejects %j', (h) => {
    expect(check(h)).toBe(false);
  });

  it.each(['bearer alpha-token', 'BEARER alpha-token', 'BeArEr beta-token', 'Bearer  alpha-token'])(
    'accepts the scheme in any case: %j',
    (h) => {
      expect(check(h)).toBe(true);
    },
  );

  it('rejects everything when no tokens are configured (empty tokens are ignored)', () => {
    expect(bearerChecker([])('Bearer ')).toBe(false);
    expect(bearerChecker([''])('Bearer x')).toBe(false);
  });
});
