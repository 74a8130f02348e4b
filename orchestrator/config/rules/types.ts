/** What every rule function receives and returns. */
import type { Severity } from '../diagnostic.js';
import type { GpuType } from '../../gpu/catalog.js';
import type { PathSegment } from '../yaml-source.js';
import type { TrtLlmConfig } from '../schema/trt-llm.js';

/** A rule's finding; the validator adds line and column from the path. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Point at the key instead of the value (for misplaced keys and missing children). */
  readonly at?: 'key' | 'value';
}

/** Parsed `resources`, as the rules and the planner see them. */
export interface ResolvedResources {
  readonly accelerator: { readonly type: GpuType; readonly count: number } | null;
  readonly node_count: number;
  readonly cpu: string | null;
  readonly memory: string | null;
  readonly instance_type: string | null;
}

/** Input of a rule: the zod output (defaults filled), resources and what the user wrote. */
export interface RuleContext {
  readonly trtLlm: TrtLlmConfig;
  readonly resources: ResolvedResources;
  /** Path of the accelerator to point at (`resources.accelerator` or `resources.instance_type`). */
  readonly acceleratorPath: readonly PathSegment[];
  readonly secretNames: readonly string[];
  /** Dotted paths (from the root, e.g. `trt_llm.build.max_seq_len`) of keys the user wrote. */
  readonly userSet: ReadonlySet<string>;
}

/** A named group of checks. */
export type Rule = (ctx: RuleContext) => Finding[];

/** Shorthand constructors. */
export function error(code: string, path: readonly PathSegment[], message: string, at?: 'key' | 'value'): Finding {
  return at ? { code, severity: 'error', path, message, at } : { code, severity: 'error', path, message };
}
/** Shorthand for a warning finding. */
export function warning(code: string, path: readonly PathSegment[], message: string, at?: 'key' | 'value'): Finding {
  return at ? { code, severity: 'warning', path, message, at } : { code, severity: 'warning', path, message };
}
