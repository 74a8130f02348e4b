/**
 * Removes secrets from a config before it is published in a manifest (pure). Three layers:
 * 1. every value under a key named `secrets` (Truss's secret section) is replaced;
 * 2. every value under a key that looks like a credential (`hf_token`, `aws_secret_access_key`,
 *    `password`, `apiKey`, …) is replaced — but not keys that only *name* a secret
 *    (`auth_secret_name`, `secret_to_path_mapping`) nor tokenizer terms (`max_tokens`, `eos_token`);
 * 3. string values that look like credentials (HF/GitHub/AWS/OpenAI tokens, PEM keys, JWTs,
 *    passwords in URLs) and exact known secret values are replaced wherever they appear; a string
 *    that is an http(s) URL with a query keeps its query keys only (presigned signatures).
 * The result is plain JSON (no undefined, functions, cycles or non-finite numbers).
 */

import { redactUrl, urlHasSecrets } from '../../config/redact-url.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 64;

/** Key words (after splitting on `_`, `-`, `.` and camelCase) whose presence marks a credential. */
const CREDENTIAL_WORDS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'credential',
  'credentials',
  'apikey',
  'accesskey',
  'privatekey',
  'authorization',
  'cookie',
];
/** Last key words that mean "a reference to a secret", not the secret itself. */
const REFERENCE_SUFFIXES = new Set(['name', 'names', 'mapping', 'path', 'paths', 'file', 'env', 'var', 'ref', 'arn']);
/** Words before `token` that make it a tokenizer / sizing term, not a credential. */
const TOKENIZER_WORDS = new Set([
  'bos',
  'eos',
  'pad',
  'unk',
  'sep',
  'cls',
  'mask',
  'start',
  'end',
  'stop',
  'special',
  'max',
  'min',
  'num',
  'draft',
  'decoder',
  'prefix',
  'suffix',
  'image',
  'audio',
  'video',
  'first',
  'last',
]);

const CREDENTIAL_VALUE_PATTERNS: readonly RegExp[] = [
  /\bhf_[A-Za-z0-9]{20,}\b/g, // Hugging Face tokens
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bsk-[A-Za-z0-9_-]{20,}\b/g, // OpenAI-style secret keys
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):([^\s/@]+)@/gi;

export interface RedactOptions {
  /** Exact secret values known to the caller; replaced wherever they occur inside strings. */
  readonly secretValues?: readonly string[];
}

/** True when an object key looks like it holds a credential (not merely names one). */
export function looksLikeCredentialKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const last = words[words.length - 1];
  if (last === undefined || REFERENCE_SUFFIXES.has(last)) return false;
  const joined = words.join('');
  if (CREDENTIAL_WORDS.some((w) => joined.includes(w))) return true;
  if (last === 'token') {
    const prev = words[words.length - 2];
    return prev === undefined || !TOKENIZER_WORDS.has(prev);
  }
  return false;
}

/** Replaces credential-looking substrings and known secret values inside one string. */
export function redactString(value: string, secretValues: readonly string[] = []): string {
  let out = value;
  for (const secret of [...secretValues].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  // A whole-string URL with a query (presigned S3/GCS/Azure SAS signatures) keeps only its keys.
  return /^https?:\/\/[^\s?]+\?\S*$/i.test(out) && urlHasSecrets(out) ? redactUrl(out) : out;
}

/** True when `text` contains a known secret value or a credential-looking string. */
export function containsCredential(text: string, secretValues: readonly string[] = []): boolean {
  return redactString(text, secretValues) !== text;
}

/** Returns a JSON copy of `value` with secrets removed (see the module comment). */
export function redactConfig(value: unknown, options: RedactOptions = {}): JsonValue {
  return walk(value, options.secretValues ?? [], 0, new WeakSet());
}

function walk(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return redactString(value, secrets);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null; // functions, symbols
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (seen.has(value)) return '[CIRCULAR]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v: unknown) => walk(v, secrets, depth + 1, seen));
    // Object.fromEntries defines own properties, so a `__proto__` key stays plain data.
    const entries: [string, JsonValue][] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      const safeKey = redactString(key, secrets);
      if (key.toLowerCase() === 'secrets') entries.push([safeKey, redactSection(v)]);
      else if (looksLikeCredentialKey(key)) entries.push([safeKey, v === null || v === '' ? null : REDACTED]);
      else entries.push([safeKey, walk(v, secrets, depth + 1, seen)]);
    }
    return Object.fromEntries(entries);
  } finally {
    seen.delete(value);
  }
}

/** A `secrets:` section keeps its names (useful to know which secrets a build needed), never values. */
function redactSection(section: unknown): JsonValue {
  if (section === null || section === undefined) return null;
  if (typeof section !== 'object' || Array.isArray(section)) return REDACTED;
  return Object.fromEntries(
    Object.entries(section).map(([name, v]): [string, JsonValue] => [
      redactString(name),
      v === null || v === undefined || v === '' ? null : REDACTED,
    ]),
  );
}
