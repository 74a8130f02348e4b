// Positions from the YAML source count characters (code points), as editors do: an astral
// character (emoji: 2 UTF-16 units) before a position on the same line counts once.
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../../orchestrator/config/yaml-source.js';

/** The 1-based character column of the first `needle` on 1-based line `line` of `text`. */
function charCol(text: string, line: number, needle: string): number {
  const l = text.split('\n')[line - 1] ?? '';
  const i = l.indexOf(needle);
  expect(i).toBeGreaterThanOrEqual(0);
  return [...l.slice(0, i)].length + 1;
}

describe('parseSource positions', () => {
  it('counts an emoji before a key or value once (block and flow mappings)', () => {
    const text = 'a:\n  "🚀🚀": 1\n  b: {"🎉": x, c: 2}\nd: 3\n';
    const src = parseSource(text);
    expect(src.problems).toEqual([]);
    expect(src.positionOf(['a', '🚀🚀'], 'value')).toEqual({ line: 2, column: charCol(text, 2, '1') });
    expect(src.positionOf(['a', '🚀🚀'], 'value').column).toBe(9);
    expect(src.positionOf(['a', 'b', 'c'], 'key')).toEqual({ line: 3, column: charCol(text, 3, 'c:') });
    expect(src.positionOf(['a', 'b', 'c'], 'value')).toEqual({ line: 3, column: 18 });
    // Astral characters on earlier lines do not shift later ones.
    expect(src.positionOf(['d'], 'value')).toEqual({ line: 4, column: 4 });
  });

  it('leaves lines without astral characters as they were (BMP letters are one unit already)', () => {
    const text = 'é: {ü: 1, k: 2}\n';
    expect(parseSource(text).positionOf(['é', 'k'], 'value')).toEqual({ line: 1, column: 14 });
  });

  it('counts a lone surrogate as one character', () => {
    const text = `"\uD83D": {k: 1}\n`;
    expect(parseSource(text).positionOf(['\uD83D', 'k'], 'key')).toEqual({ line: 1, column: 7 });
  });

  // Replacing each astral character by one BMP letter must not move any position; replacing it by
  // two letters (its UTF-16 length) moves positions after it on that line by one.
  const oneLetter = (t: string): string => t.replace(/\p{Extended_Pictographic}/gu, 'x');
  const twoLetters = (t: string): string => t.replace(/\p{Extended_Pictographic}/gu, 'xx');

  it('reports parser errors in characters', () => {
    const text = 'a: 1\nb: {"🚀🚀": 1, c: [1, 2}\n';
    const [p] = parseSource(text).problems;
    expect(p?.code).toBe('YAML_SYNTAX_ERROR');
    expect(p?.position.line).toBe(2);
    expect(parseSource(oneLetter(text)).problems[0]?.position).toEqual(p?.position);
    expect(parseSource(twoLetters(text)).problems[0]?.position.column).toBe((p?.position.column ?? 0) + 2);
  });

  it('reports duplicate keys in characters', () => {
    const text = '{"🚀": 1, k: 1, k: 2}\n';
    const [p] = parseSource(text).problems;
    expect(p).toMatchObject({ code: 'YAML_DUPLICATE_KEY', position: { line: 1, column: 16 } });
    expect(p?.position.column).toBe([...text.slice(0, text.lastIndexOf('k:'))].length + 1);
  });

  it('reports the input-bounds position (before the parser runs) in characters', () => {
    const text = `x: 1\n"🚀🚀🚀": ${'['.repeat(70)}\n`;
    const [p] = parseSource(text).problems;
    expect(p?.code).toBe('YAML_TOO_DEEP');
    expect(p?.position.line).toBe(2);
    expect(p?.position.column).toBeGreaterThan(charCol(text, 2, '['));
    expect(parseSource(oneLetter(text)).problems[0]?.position).toEqual(p?.position);
    expect(parseSource(twoLetters(text)).problems[0]?.position.column).toBe((p?.position.column ?? 0) + 3);
  });
});
