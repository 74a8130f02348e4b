/**
 * The typed client against the served OpenAPI document: every operation the client calls exists
 * there with the same method and path, and the schema the client parses its answer with is the
 * one the document lists for that answer (same component, same required fields).
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../orchestrator/api/openapi.js';
import { OPERATIONS } from '../../../orchestrator/client/operations.js';

type Op = {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
};
const doc = openApiDocument() as {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { required?: string[] }> };
};

describe('client ↔ OpenAPI document', () => {
  for (const [id, op] of Object.entries(OPERATIONS)) {
    it(`${id}: method, path and answer schema match the document`, () => {
      const inDoc = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(inDoc?.operationId, `${op.method} ${op.path}`).toBe(id);
      const schemaId = (op.response.meta() as { id?: string } | undefined)?.id;
      expect(schemaId).toBeDefined();
      for (const status of op.status) {
        expect(inDoc?.responses[String(status)]?.content?.['application/json']?.schema.$ref).toBe(
          `#/components/schemas/${schemaId ?? ''}`,
        );
      }
      const required = (op.response as unknown as { shape: Record<string, { isOptional: () => boolean }> }).shape;
      const clientRequired = Object.entries(required)
        .filter(([, s]) => !s.isOptional())
        .map(([k]) => k)
        .sort();
      expect([...(doc.components.schemas[schemaId ?? '']?.required ?? [])].sort()).toEqual(clientRequired);
    });
  }

  it('every /v1 operation of the document is callable through the client', () => {
    const docOps = Object.values(doc.paths)
      .flatMap((m) => Object.values(m))
      .map((o) => o.operationId);
    const v1 = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([, m]) => Object.values(m).map((o) => o.operationId));
    expect(v1.filter((o) => !(o in OPERATIONS))).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((o) => !docOps.includes(o))).toEqual([]);
  });
});
