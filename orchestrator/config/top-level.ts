/** Checks of the top-level keys other than `trt_llm` and `resources`: `secrets` and `model_name`. Pure. */
import type { Finding } from './rules/types.js';

/** Result of reading `secrets`: the declared names (values are never kept). */
export interface SecretsResult {
  readonly names: string[];
  readonly findings: Finding[];
}

/** Every `secrets` value must be null; the message names the key and never prints the value. */
export function checkSecrets(raw: unknown): SecretsResult {
  if (raw === undefined || raw === null) return { names: [], findings: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      names: [],
      findings: [
        {
          code: 'INVALID_TYPE',
          severity: 'error',
          path: ['secrets'],
          message: 'secrets must be a mapping of secret names to null (the value is not shown)',
        },
      ],
    };
  }
  const names: string[] = [];
  const findings: Finding[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    names.push(name);
    if (value !== null) {
      findings.push({
        code: 'SECRET_VALUE_IN_CONFIG',
        severity: 'error',
        path: ['secrets', name],
        message: isNullLookalike(value)
          ? // A Python-style None (or a quoted "null") is a string in YAML, not null.
            `secret ${JSON.stringify(name)} holds the string ${JSON.stringify(value)}, which YAML does not read as null; write ${name}: null (unquoted) and store the value in the secret store`
          : `secret ${JSON.stringify(name)} has a value in config.yaml; write ${name}: null and store the value in the secret store (the value is not shown)`,
        at: 'key',
      });
    }
  }
  return { names, findings };
}

/** A string that a user meant as null (None, "null", nil, ~): safe to name in a message. */
function isNullLookalike(value: unknown): value is string {
  return typeof value === 'string' && /^(none|null|nil|~|)$/i.test(value.trim());
}

/** `model_name` must be a string when present. */
export function checkModelName(raw: unknown): { name: string | null; findings: Finding[] } {
  if (raw === undefined || raw === null) return { name: null, findings: [] };
  if (typeof raw === 'string') return { name: raw, findings: [] };
  return {
    name: null,
    findings: [
      { code: 'INVALID_TYPE', severity: 'error', path: ['model_name'], message: 'model_name must be a string' },
    ],
  };
}

/** Dotted paths of every key written under `value` (prefixed by `prefix`). */
export function collectUserSet(value: unknown, prefix: string, out: Set<string> = new Set(), depth = 0): Set<string> {
  if (depth > 50 || typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = `${prefix}.${k}`;
    out.add(p);
    collectUserSet(v, p, out, depth + 1);
  }
  return out;
}
