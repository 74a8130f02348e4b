/**
 * Unknown keys under `trt_llm` and `resources`: an error each, with a migration message for known
 * legacy keys and a "did you mean" for typos. Walks the raw value alongside the zod schema.
 */
import type * as z from 'zod';
import { didYouMean } from './did-you-mean.js';
import { legacyKey } from './legacy-keys.js';
import { childrenOf } from './schema-walk.js';
import type { Finding } from './rules/types.js';
import type { InferenceStack } from './schema/trt-llm.js';
import type { PathSegment } from './yaml-source.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every key in `value` that `schema` does not declare, recursively. */
export function findUnknownKeys(
  value: unknown,
  schema: z.core.$ZodType,
  path: readonly PathSegment[],
  stack: InferenceStack,
): Finding[] {
  const out: Finding[] = [];
  walk(value, schema, [...path], stack, out, 0);
  return out;
}

function walk(
  value: unknown,
  schema: z.core.$ZodType,
  path: PathSegment[],
  stack: InferenceStack,
  out: Finding[],
  depth: number,
): void {
  if (depth > 50) return;
  const c = childrenOf(schema);
  if (c.kind === 'object') {
    if (!isPlainObject(value)) return;
    const known = Object.keys(c.shape);
    for (const [key, child] of Object.entries(value)) {
      const childSchema = c.shape[key];
      if (childSchema) {
        walk(child, childSchema, [...path, key], stack, out, depth + 1);
        continue;
      }
      const location = path.join('.');
      const legacy = legacyKey(location, key, stack);
      if (legacy) {
        out.push({ code: legacy.code, severity: 'error', path: [...path, key], message: legacy.message, at: 'key' });
        continue;
      }
      const guess = didYouMean(key, known);
      const hint = guess ? `; did you mean ${guess}?` : `; known keys: ${known.join(', ')}`;
      out.push({
        code: 'UNKNOWN_KEY',
        severity: 'error',
        path: [...path, key],
        message: `unknown key ${JSON.stringify(key)} in ${location}${hint}`,
        at: 'key',
      });
    }
  } else if (c.kind === 'record') {
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) walk(child, c.value, [...path, key], stack, out, depth + 1);
  } else if (c.kind === 'array') {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => walk(item, c.element, [...path, i], stack, out, depth + 1));
  }
}
