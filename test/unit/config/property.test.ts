// Property-based: random and mutated YAML never makes the validator throw, and every diagnostic is well-formed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { ValidationResult } from '../../../orchestrator/config/index.js';
import { CORPUS_DIR } from '../../support/shared-paths.js';

const CORPUS = CORPUS_DIR;
const SAMPLES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .filter((_, i) => i % 20 === 0)
  .map((f) => readFileSync(join(CORPUS, f), 'utf8'));

function wellFormed(r: ValidationResult): void {
  expect(r.valid).toBe(r.errors.length === 0);
  expect(r.config === null).toBe(!r.valid);
  for (const d of [...r.errors, ...r.warnings]) {
    expect(d.code).toMatch(/^[A-Z0-9_]+$/);
    expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 1).toBe(true);
    expect(typeof d.message).toBe('string');
  }
}

const TOKENS = [
  'trt_llm',
  'build',
  'runtime',
  'resources',
  'accelerator',
  ':',
  ' ',
  '\n',
  '  ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '&a',
  '*a',
  '"',
  "'",
  '#',
  '!!str',
  'null',
  '2.0',
  '-1',
  'H100:2',
  'fp8',
  'v2',
  'inference_stack',
  'checkpoint_repository',
  '<<',
  '? ',
  '|',
  '>',
  '\t',
  '%YAML 1.2',
  '---',
  '...',
];

describe('validator properties', () => {
  it('never throws on random token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (parts) => {
        wellFormed(validateConfigText(parts.join('')));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => wellFormed(validateConfigText(s))),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated corpus files (deletions, insertions, swaps)', () => {
    const mutation = fc.record({
      sample: fc.integer({ min: 0, max: SAMPLES.length - 1 }),
      at: fc.nat(),
      del: fc.integer({ min: 0, max: 20 }),
      insert: fc.constantFrom(...TOKENS, ''),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let text = SAMPLES[muts[0]?.sample ?? 0] ?? '';
        for (const m of muts) {
          const at = m.at % (text.length + 1);
          text = text.slice(0, at) + m.insert + text.slice(at + m.del);
        }
        wellFormed(validateConfigText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random JSON-shaped documents', () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 10 }),
    );
    const keys = fc.constantFrom(
      'trt_llm',
      'build',
      'runtime',
      'resources',
      'accelerator',
      'max_seq_len',
      'speculator',
      'lora_adapters',
      'secrets',
      'inference_stack',
      'checkpoint_repository',
      'source',
      'repo',
      'x',
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(keys, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(keys, tree, { maxKeys: 5 }), (doc) =>
        wellFormed(validateConfigText(JSON.stringify(doc))),
      ),
      { numRuns: 300 },
    );
  });
});
