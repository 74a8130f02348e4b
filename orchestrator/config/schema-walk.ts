/**
 * Small reflection helpers over zod schemas: unwrap optional/default/pipe wrappers, list an object's
 * keys, and find the schema at a path. Used for unknown-key checks and strict-integer checks.
 */
import type * as z from 'zod';

type AnySchema = z.core.$ZodType;

interface Def {
  readonly type: string;
  readonly innerType?: AnySchema;
  readonly in?: AnySchema;
  readonly shape?: Readonly<Record<string, AnySchema>>;
  readonly valueType?: AnySchema;
  readonly element?: AnySchema;
  readonly options?: readonly AnySchema[];
  readonly format?: string;
}

function defOf(schema: AnySchema): Def {
  return schema._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** Strips optional/nullable/default/prefault wrappers and pipes (keeping the input side). */
export function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i += 1) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

/** The keys an object schema declares, or undefined when the schema is not an object. */
export function objectKeys(schema: AnySchema): readonly string[] | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** What a schema expects of its children: named fields, free keys (record), items (array), or nothing. */
export type Children =
  | { readonly kind: 'object'; readonly shape: Readonly<Record<string, AnySchema>> }
  | { readonly kind: 'record'; readonly value: AnySchema }
  | { readonly kind: 'array'; readonly element: AnySchema }
  | { readonly kind: 'leaf' };

/** Describes the children of `schema` after unwrapping. */
export function childrenOf(schema: AnySchema): Children {
  const def = defOf(unwrap(schema));
  if (def.type === 'object' && def.shape) return { kind: 'object', shape: def.shape };
  if (def.type === 'record' && def.valueType) return { kind: 'record', value: def.valueType };
  if (def.type === 'array' && def.element) return { kind: 'array', element: def.element };
  return { kind: 'leaf' };
}

/** The schema at `path` below `schema` (records and arrays consume one segment), or undefined. */
export function schemaAt(schema: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  let s: AnySchema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    const c = childrenOf(s);
    if (c.kind === 'object') s = c.shape[String(seg)];
    else if (c.kind === 'record') s = c.value;
    else if (c.kind === 'array') s = c.element;
    else return undefined;
  }
  return s;
}

/** Is `schema` (after unwrapping) an integer schema (`z.int()`)? */
export function isIntSchema(schema: AnySchema): boolean {
  const def = defOf(unwrap(schema));
  return def.type === 'number' && (def.format === 'safeint' || def.format === 'int32' || def.format === 'int64');
}
