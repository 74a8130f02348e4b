import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, REDACTED, TailBuffer, capLine, makeRedactor } from '../../../orchestrator/exec/redact.js';

describe('makeRedactor', () => {
  it('replaces every occurrence of every secret, longest first', () => {
    const redact = makeRedactor(['hf_abc', 'hf_abcdef', '']);
    expect(redact('token=hf_abcdef and hf_abc and hf_abcdef')).toBe(
      `token=${REDACTED} and ${REDACTED} and ${REDACTED}`,
    );
  });

  it('leaves lines alone without secrets', () => {
    expect(makeRedactor([])('hello')).toBe('hello');
    expect(makeRedactor(['zzz'])('hello')).toBe('hello');
  });

  it('handles secrets with regex metacharacters', () => {
    expect(makeRedactor(['a.b*c(d)'])('x a.b*c(d) y axbbc')).toBe(`x ${REDACTED} y axbbc`);
  });
});

describe('capLine', () => {
  it('cuts runaway lines and says how much', () => {
    const long = 'y'.repeat(MAX_LINE_CHARS + 10);
    expect(capLine(long)).toBe(`${'y'.repeat(MAX_LINE_CHARS)} …[10 chars cut]`);
    expect(capLine('short')).toBe('short');
  });
});

describe('TailBuffer', () => {
  it('keeps the last lines', () => {
    const t = new TailBuffer(3, 1000);
    for (let i = 0; i < 10; i++) t.push(`line ${i}`);
    expect(t.text()).toBe('line 7\nline 8\nline 9');
  });

  it('keeps at most maxChars characters', () => {
    const t = new TailBuffer(100, 20);
    t.push('aaaaaaaaaa');
    t.push('bbbbbbbbbb');
    t.push('cccccccccc');
    expect(t.text()).toBe('cccccccccc');
    const big = new TailBuffer(100, 5);
    big.push('0123456789');
    expect(big.text()).toBe('56789');
  });
});
