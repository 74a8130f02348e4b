/**
 * The validation pipeline: YAML text → positions → shape (zod) → unknown keys → cross-field rules →
 * diagnostics in file order. Pure and total: it never throws.
 */
import type * as z from 'zod';
import type { Diagnostic } from './diagnostic.js';
import { RULES } from './rules/index.js';
import { withDerivedValues } from './rules/speculator.js';
import type { Finding, ResolvedResources } from './rules/types.js';
import { resolveResources } from './resolve-resources.js';
import { Resources } from './schema/resources.js';
import { TrtLlmConfigV1, TrtLlmConfigV2 } from './schema/trt-llm.js';
import type { InferenceStack, TrtLlmConfig } from './schema/trt-llm.js';
import { isIntSchema, schemaAt } from './schema-walk.js';
import { checkModelName, checkSecrets, collectUserSet } from './top-level.js';
import { findUnknownKeys } from './unknown-keys.js';
import { describe, findingFromIssue } from './zod-issues.js';
import { parseSource } from './yaml-source.js';
import type { ParsedSource, PathSegment } from './yaml-source.js';
import type { GpuType } from '../gpu/catalog.js';

/** A config that passed every check, with defaults filled. */
export interface ValidatedConfig {
  /** zod output: defaults filled, Truss field names; lookahead `num_draft_tokens` computed. */
  readonly trtLlm: TrtLlmConfig;
  readonly resources: {
    readonly accelerator: { readonly type: GpuType; readonly count: number };
    readonly node_count: number;
    readonly cpu: string | null;
    readonly memory: string | null;
    readonly instance_type: string | null;
  };
  /** Keys declared under `secrets` (values are never kept). */
  readonly secretNames: string[];
  /** Dotted paths from the root (`trt_llm.build.max_seq_len`) of keys the user wrote under trt_llm. */
  readonly userSet: ReadonlySet<string>;
  readonly modelName: string | null;
}

/** Outcome of validation: all diagnostics in file order; `config` is non-null iff `valid`. */
export interface ValidationResult {
  readonly valid: boolean;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  readonly config: ValidatedConfig | null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finish(
  findings: readonly Finding[],
  src: ParsedSource | undefined,
  config: ValidatedConfig | null,
): ValidationResult {
  const diagnostics: Diagnostic[] = findings.map((f) => {
    const pos = src ? src.positionOf(f.path, f.at ?? 'value') : { line: 1, column: 1 };
    return {
      code: f.code,
      severity: f.severity,
      path: f.path.join('.'),
      message: f.message,
      line: pos.line,
      column: pos.column,
    };
  });
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0 && config === null) {
    errors.push({
      code: 'INTERNAL_ERROR',
      severity: 'error',
      path: '',
      message: 'internal validator error: no config produced; please report this config',
      line: 1,
      column: 1,
    });
  }
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const valid = errors.length === 0;
  return { valid, errors, warnings, config: valid ? config : null };
}

function deleteAt(root: unknown, path: readonly PathSegment[]): void {
  let v: unknown = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    if (!isPlainObject(v)) return;
    v = v[String(path[i])];
  }
  const last = path[path.length - 1];
  if (isPlainObject(v) && last !== undefined) delete v[String(last)];
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[String(seg)];
  }
  return v;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}

// Float literals (`2.0`) where the schema wants an integer.
function floatIntegerFindings(src: ParsedSource, section: string, schema: z.core.$ZodType): Finding[] {
  const out: Finding[] = [];
  for (const dotted of src.floatLiteralPaths) {
    const parts = dotted.split('.');
    if (parts[0] !== section) continue;
    const leaf = schemaAt(schema, parts.slice(1));
    if (leaf && isIntSchema(leaf)) {
      out.push({
        code: 'INTEGER_EXPECTED',
        severity: 'error',
        path: parts,
        message: `${parts[parts.length - 1] ?? ''} must be an integer, not a float; write it without a decimal point or exponent`,
      });
    }
  }
  return out;
}

interface SectionResult<T> {
  readonly data: T | undefined;
  readonly findings: Finding[];
  /** Paths whose values failed the shape check; rule findings on them are dropped. */
  readonly broken: PathSegment[][];
}

// Parses one section; when it fails, retries without the broken fields (a missing key drops its
// parent) so the cross-field rules can still run on the rest.
function parseSection<T>(schema: z.ZodType<T>, raw: unknown, base: PathSegment[], root: unknown): SectionResult<T> {
  const first = schema.safeParse(raw);
  if (first.success) return { data: first.data, findings: [], broken: [] };
  const intAt = (p: readonly PathSegment[]): boolean => {
    const leaf = schemaAt(schema, p);
    return leaf !== undefined && isIntSchema(leaf);
  };
  const findings = first.error.issues.map((i) => findingFromIssue(i, base, root, intAt));
  const broken = findings.map((f) => [...f.path]);
  const copy: unknown = structuredClone(raw);
  let issues = first.error.issues;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    for (const issue of issues) {
      const rel = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const missing = valueAt(copy, rel) === undefined;
      const target = missing ? rel.slice(0, -1) : rel;
      deleteAt(copy, target);
      broken.push([...base, ...target]);
    }
    const next = schema.safeParse(copy);
    if (next.success) return { data: next.data, findings, broken };
    issues = next.error.issues;
  }
  return { data: undefined, findings, broken };
}

function stackOf(raw: Record<string, unknown>): InferenceStack | Finding {
  const s = raw['inference_stack'];
  if (s === undefined || s === null) return 'v1';
  if (s === 'v1' || s === 'v2') return s;
  return {
    code: 'INFERENCE_STACK_INVALID',
    severity: 'error',
    path: ['trt_llm', 'inference_stack'],
    message: `inference_stack must be v1 (TensorRT engines; the default) or v2 (PyTorch LLM API; MoE, multi-node) (got ${typeof s === 'string' ? JSON.stringify(s.slice(0, 40)) : describe(s)})`,
  };
}

function validateInner(text: string): ValidationResult {
  const src = parseSource(text);
  if (src.problems.length > 0) {
    const errors = src.problems.map((p) => ({
      code: p.code,
      severity: 'error' as const,
      path: '',
      message: p.message,
      line: p.position.line,
      column: p.position.column,
    }));
    return { valid: false, errors, warnings: [], config: null };
  }
  const root = src.value;
  if (!isPlainObject(root)) {
    const message =
      root === null || root === undefined
        ? 'config is empty; expected a mapping with trt_llm and resources'
        : 'the config root must be a mapping (key: value pairs)';
    return finish([{ code: 'CONFIG_NOT_MAPPING', severity: 'error', path: [], message }], src, null);
  }
  const findings: Finding[] = [];
  const model = checkModelName(root['model_name']);
  findings.push(...model.findings);
  const secrets = checkSecrets(root['secrets']);
  findings.push(...secrets.findings);

  const rawTrt = root['trt_llm'];
  const hasTrtLlm = isPlainObject(rawTrt);
  if (rawTrt === undefined || rawTrt === null) {
    findings.push({
      code: 'TRT_LLM_MISSING',
      severity: 'error',
      path: rawTrt === null ? ['trt_llm'] : [],
      message:
        rawTrt === null
          ? 'trt_llm is null: this config has no TRT-LLM section, so there is nothing to build; add trt_llm.build with a checkpoint_repository'
          : 'no trt_llm section: nothing to build; add trt_llm.build with a checkpoint_repository',
      at: 'key',
    });
  } else if (!hasTrtLlm) {
    findings.push({ code: 'INVALID_TYPE', severity: 'error', path: ['trt_llm'], message: 'trt_llm must be a mapping' });
  }

  // resources
  let resolved: ResolvedResources | undefined;
  let acceleratorPath: readonly PathSegment[] = ['resources', 'accelerator'];
  const rawResources = root['resources'] ?? {};
  const stackOrFinding = hasTrtLlm ? stackOf(rawTrt) : 'v1';
  const stack: InferenceStack = typeof stackOrFinding === 'string' ? stackOrFinding : 'v1';
  if (!isPlainObject(rawResources)) {
    findings.push({
      code: 'INVALID_TYPE',
      severity: 'error',
      path: ['resources'],
      message: 'resources must be a mapping',
    });
  } else {
    findings.push(...findUnknownKeys(rawResources, Resources, ['resources'], stack));
    const ints = floatIntegerFindings(src, 'resources', Resources);
    findings.push(...ints);
    const cleaned: unknown = ints.length > 0 ? structuredClone(rawResources) : rawResources;
    for (const f of ints) deleteAt(cleaned, f.path.slice(1));
    const section = parseSection(Resources, cleaned, ['resources'], root);
    findings.push(...section.findings);
    if (section.data) {
      const r = resolveResources(section.data, hasTrtLlm);
      findings.push(...r.findings);
      resolved = r.resources;
      acceleratorPath = r.acceleratorPath;
    }
  }

  // trt_llm
  let trtLlm: TrtLlmConfig | undefined;
  let userSet = new Set<string>();
  let shapeBroken: PathSegment[][] = [];
  if (hasTrtLlm) {
    userSet = collectUserSet(rawTrt, 'trt_llm');
    if (typeof stackOrFinding !== 'string') {
      findings.push(stackOrFinding);
    } else {
      const schema: z.ZodType<TrtLlmConfig> = stackOrFinding === 'v2' ? TrtLlmConfigV2 : TrtLlmConfigV1;
      findings.push(...findUnknownKeys(rawTrt, schema, ['trt_llm'], stackOrFinding));
      const ints = floatIntegerFindings(src, 'trt_llm', schema);
      findings.push(...ints);
      // Integer fields written as floats count as unset for the rules (their error is reported above).
      const cleaned: unknown = ints.length > 0 ? structuredClone(rawTrt) : rawTrt;
      for (const f of ints) deleteAt(cleaned, f.path.slice(1));
      const section = parseSection(schema, cleaned, ['trt_llm'], root);
      findings.push(...section.findings);
      trtLlm = section.data;
      shapeBroken = [...section.broken, ...ints.map((f) => [...f.path])];
    }
  }

  if (trtLlm && resolved) {
    const ctx = { trtLlm, resources: resolved, acceleratorPath, secretNames: secrets.names, userSet };
    for (const rule of RULES) {
      for (const f of rule(ctx)) {
        if (!shapeBroken.some((b) => startsWith(f.path, b))) findings.push(f);
      }
    }
  }

  const accelerator = resolved?.accelerator;
  const config: ValidatedConfig | null =
    trtLlm && resolved && accelerator
      ? {
          trtLlm: withDerivedValues(trtLlm),
          resources: { ...resolved, accelerator },
          secretNames: secrets.names,
          userSet,
          modelName: model.name,
        }
      : null;
  return finish(findings, src, config);
}

/** Validates a whole Truss config.yaml text. Pure; never throws. */
export function validateConfigText(text: string): ValidationResult {
  try {
    if (typeof text !== 'string') {
      return {
        valid: false,
        errors: [
          { code: 'CONFIG_NOT_TEXT', severity: 'error', path: '', message: 'config must be text', line: 1, column: 1 },
        ],
        warnings: [],
        config: null,
      };
    }
    return validateInner(text);
  } catch (err) {
    const message = `internal validator error: ${err instanceof Error ? err.name : 'unknown'}; please report this config`;
    return {
      valid: false,
      errors: [{ code: 'INTERNAL_ERROR', severity: 'error', path: '', message, line: 1, column: 1 }],
      warnings: [],
      config: null,
    };
  }
}
