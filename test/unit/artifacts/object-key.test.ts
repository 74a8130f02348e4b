import { describe, expect, it } from 'vitest';
import { isArtifactStoreError } from '../../../orchestrator/storage/artifacts/errors.js';
import {
  assertListPrefix,
  assertObjectKey,
  listPrefixProblem,
  objectKeyProblem,
} from '../../../orchestrator/storage/artifacts/object-key.js';

describe('objectKeyProblem', () => {
  it.each([
    'a',
    'builds/abc/manifest.json',
    'dir with space/ünï+%&=?#.bin',
    'x'.repeat(1024),
    'ü'.repeat(512),
    '.hidden/file',
    '..dots/a...b',
    '😀/emoji',
  ])('accepts %j', (key) => {
    expect(objectKeyProblem(key)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['/abs', /relative/],
    ['a/', /end with "\/"/],
    ['a//b', /empty segments/],
    ['..', /"\.\." segments/],
    ['a/../b', /"\.\." segments/],
    ['./a', /"\." segments/],
    ['a\\b', /"\\"/],
    ['a\0b', /NUL/],
    ['a\tb', /control/],
    ['a\u007fb', /control/],
    ['x'.repeat(1025), /1024 UTF-8 bytes \(got 1025\)/],
    ['ü'.repeat(513), /got 1026/],
    ['bad\udc00', /lone surrogate/],
  ])('rejects %j', (key, why) => {
    expect(objectKeyProblem(key)).toMatch(why);
  });

  it('rejects non-strings with the type that arrived', () => {
    expect(objectKeyProblem(7)).toMatch(/got number/);
    expect(objectKeyProblem(null)).toMatch(/got null/);
    expect(objectKeyProblem(undefined)).toMatch(/got undefined/);
  });
});

describe('listPrefixProblem', () => {
  it.each(['', 'a', 'a/', 'a/b', 'builds/'])('accepts %j', (p) => {
    expect(listPrefixProblem(p)).toBeNull();
  });
  it.each(['/', '/a', 'a//', '../', 'a/../', 'a/..', '\0'])('rejects %j', (p) => {
    expect(listPrefixProblem(p)).not.toBeNull();
  });
});

describe('assertObjectKey / assertListPrefix', () => {
  it('throw INVALID_KEY errors that quote (a truncated form of) the key', () => {
    const err: unknown = (() => {
      try {
        assertObjectKey(`../${'y'.repeat(500)}`);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isArtifactStoreError(err, 'INVALID_KEY')).toBe(true);
    expect((err as Error).message).toMatch(/^invalid object key "\.\.\/y+…": must not contain "\.\." segments$/);
    expect((err as Error).message.length).toBeLessThan(200);
    expect(() => assertListPrefix('/x')).toThrow(/invalid list prefix "\/x": must be relative/);
    expect(assertObjectKey('ok/key')).toBe('ok/key');
  });
});
