// Regenerates test/corpus/expectations.json (run: npx tsx test/corpus/update-expectations.ts).
//
// Each invalid file's `reason` is written by hand after reading the file and checking the verdict
// against ../shared/reference/truss-trt-llm.md §2 and corpus-stats.md §3 (Truss's own triage: 51
// files fail `truss push`). This script never overwrites such a reason: when a file's verdict and
// error codes are unchanged its reason is kept as it is. When they changed, the entry gets
// `needsReview: true`, a draft reason generated from the diagnostics, and the old reason under
// `previousReason`; the corpus test fails until someone rechecks the file, rewrites `reason` and
// deletes both fields. The files needing review are printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfigText } from '../../orchestrator/config/index.js';
import { CORPUS_DIR, corpusFiles, EXPECTATIONS_FILE, TRUSS_ENFORCED } from './corpus-verdicts.js';
import type { Expectation } from './corpus-verdicts.js';

const previous: Record<string, Expectation> = existsSync(EXPECTATIONS_FILE)
  ? (JSON.parse(readFileSync(EXPECTATIONS_FILE, 'utf8')) as Record<string, Expectation>)
  : {};

/** A draft reason from the diagnostics, for a person to check and rewrite. */
function draftReason(errors: readonly { code: string; path: string; message: string }[]): string {
  return errors.map((e) => `${e.code} at ${e.path}: ${e.message.slice(0, 100)}`).join('; ');
}

const out: Record<string, Expectation> = {};
const review: string[] = [];
for (const file of corpusFiles()) {
  const r = validateConfigText(readFileSync(join(CORPUS_DIR, file), 'utf8'));
  const errors = [...new Set(r.errors.map((e) => e.code))].sort();
  const verdict = r.valid ? 'valid' : 'invalid';
  const trussRejects = errors.some((c) => TRUSS_ENFORCED.has(c));
  if (verdict === 'valid') {
    out[file] = { verdict, errors: [], trussRejects };
    continue;
  }
  const old = previous[file];
  const unchanged = old !== undefined && old.verdict === verdict && old.errors.join(',') === errors.join(',');
  if (unchanged && old.reason && !old.needsReview) {
    out[file] = { verdict, errors, trussRejects, reason: old.reason };
    continue;
  }
  review.push(file);
  // Keep the last hand-checked reason beside the draft, through repeated runs, until reviewed.
  const previousReason = old?.needsReview ? old.previousReason : old?.reason;
  out[file] = {
    verdict,
    errors,
    trussRejects,
    reason: draftReason(r.errors),
    needsReview: true,
    ...(previousReason ? { previousReason } : {}),
  };
}
writeFileSync(EXPECTATIONS_FILE, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${Object.keys(out).length} expectations to ${EXPECTATIONS_FILE}`);
if (review.length > 0) {
  console.log(
    `${review.length} invalid file(s) changed verdict or codes; recheck each by hand, rewrite its reason and drop needsReview/previousReason:`,
  );
  for (const f of review) console.log(`  ${f}`);
}
