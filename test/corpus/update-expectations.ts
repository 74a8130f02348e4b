// Regenerates test/corpus/expectations.json (run: npx tsx test/corpus/update-expectations.ts).
// Review the diff by hand: each invalid file's reason was checked against the file and against
// ../shared/reference/corpus-stats.md §3 (Truss's own triage: 51 files fail `truss push`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfigText } from '../../orchestrator/config/index.js';
import { CORPUS_DIR, corpusFiles, EXPECTATIONS_FILE, TRUSS_ENFORCED } from './corpus-verdicts.js';

const PHRASES: Readonly<Record<string, string>> = {
  BASE_MODEL_RENAMED: 'legacy model-specific base_model (renamed to decoder)',
  BASE_MODEL_REMOVED: 'base_model whisper (moved to Chains)',
  SECRET_VALUE_IN_CONFIG: 'a secrets value is a placeholder string instead of null',
  CHECKPOINT_REPOSITORY_REQUIRED: 'no build.checkpoint_repository',
  REQUIRED_KEY_MISSING: 'a required key is missing',
  QUANTIZATION_TYPE_REMOVED: 'legacy weight-only int quantization_type',
  SPECULATIVE_DECODING_MODE_DISCONTINUED: 'DRAFT_TOKENS_EXTERNAL speculator (discontinued)',
  TRT_LLM_MISSING: 'trt_llm is null (a Truss test fixture; nothing to build)',
  INVALID_ENUM_VALUE: 'value outside its enum',
  VALUE_EMPTY: 'empty string where a value is required',
};

const out: Record<string, unknown> = {};
for (const file of corpusFiles()) {
  const r = validateConfigText(readFileSync(join(CORPUS_DIR, file), 'utf8'));
  const errors = [...new Set(r.errors.map((e) => e.code))].sort();
  const trussRejects = errors.some((c) => TRUSS_ENFORCED.has(c));
  if (r.valid) {
    out[file] = { verdict: 'valid', errors: [], trussRejects };
    continue;
  }
  const parts = errors.map((code) => {
    const at = r.errors.filter((e) => e.code === code).map((e) => e.path);
    const phrase = PHRASES[code];
    if (phrase && code !== 'REQUIRED_KEY_MISSING' && code !== 'INVALID_ENUM_VALUE') return phrase;
    const msg = r.errors.find((e) => e.code === code)?.message ?? '';
    if (code === 'LEGACY_KEY' || code === 'MISPLACED_KEY') return `${code === 'LEGACY_KEY' ? 'removed' : 'misplaced'} key(s) ${at.join(', ')}`;
    return `${phrase ?? code}: ${at.join(', ')} (${msg.slice(0, 90)})`;
  });
  out[file] = { verdict: 'invalid', errors, trussRejects, reason: parts.join('; ') };
}
writeFileSync(EXPECTATIONS_FILE, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${Object.keys(out).length} expectations to ${EXPECTATIONS_FILE}`);
