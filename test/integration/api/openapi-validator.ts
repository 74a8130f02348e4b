/**
 * Validates real HTTP answers against the OpenAPI document with ajv (JSON Schema 2020-12, as
 * OpenAPI 3.1 uses). Objects are made strict for the check (no undocumented fields), except the
 * plan schemas, which list only their stable fields. Records which (operation, status) pairs were
 * seen so a test can require that every documented answer was exercised.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../../orchestrator/api/openapi.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
export interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

const OPEN = new Set(['BuildPlan', 'PlanStep', 'Preflight']);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A copy of `schema` where every object with `properties` rejects other properties. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema))
    out[k] =
      k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, strict(s)])) : strict(v);
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

/** Points `#/components/…` refs at the schema registered as `doc`. */
function rebase(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', '"doc#/components/schemas/'),
  ) as unknown;
}

/** Matches `/v1/builds/abc/logs` to `/v1/builds/{id}/logs`. */
function templateOf(doc: Doc, path: string): string | null {
  const bare = path.split('?')[0] ?? '';
  for (const t of Object.keys(doc.paths)) {
    const re = new RegExp(`^${t.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(bare)) return t;
  }
  return null;
}

export interface ResponseChecker {
  readonly doc: Doc;
  /** Throws unless the answer is documented for this method and path and its body matches. */
  check(method: string, path: string, status: number, contentType: string | undefined, body: string): void;
  /** `operationId status` pairs checked so far. */
  readonly seen: Set<string>;
}

/** Builds a checker over the served document. */
export function responseChecker(doc: Doc = openApiDocument() as Doc): ResponseChecker {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const components = Object.fromEntries(
    Object.entries(doc.components.schemas).map(([id, s]) => [id, rebase(OPEN.has(id) ? s : strict(s))]),
  );
  ajv.addSchema({ $id: 'doc', components: { schemas: components } });
  const cache = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  return {
    doc,
    seen,
    check(method, path, status, contentType, body) {
      const t = templateOf(doc, path);
      const op = t === null ? undefined : doc.paths[t]?.[method.toLowerCase()];
      if (!op) throw new Error(`${method} ${path} is not in the document`);
      const answer = op.responses[String(status)];
      if (!answer)
        throw new Error(`${op.operationId}: status ${status} is not documented (body ${body.slice(0, 200)})`);
      const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
      const schema = answer.content?.[media]?.schema;
      if (answer.content && !schema)
        throw new Error(`${op.operationId} ${status}: content type ${media} is not documented`);
      seen.add(`${op.operationId} ${status}`);
      if (!schema || media !== 'application/json') return;
      const key = `${op.operationId} ${status}`;
      let validate = cache.get(key);
      if (!validate) {
        validate = ajv.compile(rebase(strict(schema)) as Json);
        cache.set(key, validate);
      }
      if (!validate(JSON.parse(body)))
        throw new Error(`${key}: ${ajv.errorsText(validate.errors)}\n${body.slice(0, 500)}`);
    },
  };
}

/** Every `operationId status` pair the document lists. */
export function documentedAnswers(doc: Doc): string[] {
  return Object.values(doc.paths).flatMap((methods) =>
    Object.values(methods).flatMap((op) => Object.keys(op.responses).map((s) => `${op.operationId} ${s}`)),
  );
}
