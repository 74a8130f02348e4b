/**
 * The OpenAPI document passes Redocly's `recommended` ruleset (a real OpenAPI linter) with no
 * errors or warnings, names every operation, and lists the answers the issue found missing.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../orchestrator/api/openapi.js';

type Op = { operationId?: string; responses: Record<string, unknown>; security?: unknown[] };
const doc = openApiDocument() as {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
};
const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ path, method, op })),
);

describe('openapi document', () => {
  it('passes the Redocly recommended ruleset without problems', async () => {
    const config = await createConfig({ extends: ['recommended'], rules: { 'security-defined': 'error' } });
    const problems = await lintFromString({
      source: JSON.stringify(doc, null, 2),
      absoluteRef: '/openapi.json',
      config,
    });
    // The only exemption: the unauthenticated ops routes (/healthz, /readyz, /metrics, /openapi.json) have no 4xx answer.
    const opsOnly = (p: (typeof problems)[number]): boolean =>
      p.ruleId === 'operation-4xx-response' && !(p.location[0]?.pointer ?? '').startsWith('#/paths/~1v1');
    expect(
      problems
        .filter((p) => !opsOnly(p))
        .map((p) => `${p.severity} ${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer ?? ''}`),
    ).toEqual([]);
    expect(problems.filter(opsOnly)).toHaveLength(4);
  });

  it('a broken document is caught by the same lint (the linter really runs)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, { responses: unknown }>> };
    (broken.paths['/v1/builds/{id}'] as Record<string, { responses: unknown }>)['get'] = {
      responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } },
    };
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: '/openapi.json', config });
    expect(problems.some((p) => p.ruleId === 'no-unresolved-refs')).toBe(true);
  });

  it('every operation has a unique operationId and /v1 operations document 401 and 503', () => {
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((i) => typeof i === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of ops.filter((x) => x.path.startsWith('/v1/'))) {
      expect(Object.keys(o.op.responses), `${o.method} ${o.path}`).toEqual(expect.arrayContaining(['401', '503']));
    }
    const answers = (path: string, method: string): string[] => Object.keys(doc.paths[path]?.[method]?.responses ?? {});
    expect(answers('/v1/builds', 'post')).toEqual(expect.arrayContaining(['200', '202', '400', '413', '415', '422']));
    expect(answers('/v1/builds/{id}/cancel', 'post')).toEqual(expect.arrayContaining(['200', '202', '404', '409']));
    expect(answers('/v1/builds', 'get')).toContain('400');
  });

  it('lists the fields the routes send, with required lists', () => {
    const s = doc.components.schemas;
    expect(s['Build']?.required).toEqual(
      expect.arrayContaining(['gpuType', 'attempts', 'cancelRequested', 'links', 'steps', 'artifacts', 'error']),
    );
    expect(s['Submitted']?.required).toEqual(expect.arrayContaining(['warnings', 'links', 'created']));
    expect(s['BuildList']?.required).toEqual(['items', 'total', 'offset', 'limit']);
    expect(s['LogPage']?.required).toEqual(['entries', 'next', 'truncated']);
    expect(s['Links']?.required).toEqual(['self', 'logs', 'cancel']);
    expect(Object.keys(s['Artifacts']?.properties ?? {})).toEqual(['store', 'prefix', 'manifest']);
    for (const [name, schema] of Object.entries(s)) if (schema.properties) expect(schema.required, name).toBeDefined();
  });
});
