/**
 * The OpenAPI 3.1 description served at `/openapi.json` (hand-written; routes are few and stable).
 */

const err = { $ref: '#/components/schemas/Error' };
const json = (schema: object): object => ({ 'application/json': { schema } });
const resp = (description: string, schema: object = err): object => ({ description, content: json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}-[1-9][0-9]*$' } };
const configBody = {
  required: true,
  content: {
    'application/yaml': { schema: { type: 'string', description: 'A Truss config.yaml with a trt_llm section' } },
    'application/json': { schema: { type: 'object', required: ['config'], properties: { config: { oneOf: [{ type: 'object' }, { type: 'string' }] } } } },
  },
};
const common = { '401': resp('Missing or invalid bearer token'), '413': resp('Body over the limit'), '415': resp('Unsupported media type') };

/** The OpenAPI document. */
export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'TensorRT-LLM engine build orchestrator', version: '0.1.0' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        Diagnostics: {
          type: 'object',
          description: 'Exactly the `trt-plan --json` object',
          properties: { valid: { type: 'boolean' }, errors: { type: 'array', items: { type: 'object' } }, warnings: { type: 'array', items: { type: 'object' } }, plan: { type: ['object', 'null'] } },
        },
        Submitted: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, planHash: { type: 'string' }, created: { type: 'boolean' }, links: { type: 'object' } } },
        Build: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            status: { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
            planHash: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            steps: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, status: { type: 'string' }, attempts: { type: 'integer' }, startedAt: { type: ['string', 'null'] }, finishedAt: { type: ['string', 'null'] }, progress: { type: ['number', 'null'] } } } },
            artifacts: { type: ['object', 'null'] },
            error: { oneOf: [{ type: 'null' }, { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, advice: { type: ['string', 'null'] } } }] },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/builds': {
        post: { summary: 'Validate, plan and enqueue a build', requestBody: configBody, responses: { '202': resp('New build queued', { $ref: '#/components/schemas/Submitted' }), '200': resp('Same plan already queued, running or published', { $ref: '#/components/schemas/Submitted' }), '422': resp('Config has errors', { $ref: '#/components/schemas/Diagnostics' }), ...common } },
        get: {
          summary: 'List builds, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          ],
          responses: { '200': resp('A page of builds', { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Build' } }, total: { type: 'integer' } } }) },
        },
      },
      '/v1/plans': { post: { summary: 'Dry run: validate and plan, no enqueue', requestBody: configBody, responses: { '200': resp('The plan', { $ref: '#/components/schemas/Diagnostics' }), '422': resp('Config has errors', { $ref: '#/components/schemas/Diagnostics' }), ...common } } },
      '/v1/builds/{id}': { get: { summary: 'Build status', parameters: [idParam], responses: { '200': resp('The build', { $ref: '#/components/schemas/Build' }), '404': resp('No such build') } } },
      '/v1/builds/{id}/logs': {
        get: {
          summary: 'Step logs: pages (JSON) or a live stream (text/event-stream, events log/status/end)',
          parameters: [idParam, { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000 } }, { name: 'follow', in: 'query', schema: { type: 'boolean' } }],
          responses: { '200': { description: 'Log page or SSE stream', content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': { schema: { type: 'string' } } } }, '404': resp('No such build') },
        },
      },
      '/v1/builds/{id}/cancel': { post: { summary: 'Cancel a build', parameters: [idParam], responses: { '200': resp('Cancelled', { $ref: '#/components/schemas/Build' }), '202': resp('Cancel requested (running)', { $ref: '#/components/schemas/Build' }), '404': resp('No such build'), '409': resp('Already finished') } } },
      '/healthz': { get: { security: [], summary: 'Process is up', responses: { '200': { description: 'ok' } } } },
      '/readyz': { get: { security: [], summary: 'Redis reachable', responses: { '200': { description: 'ready' }, '503': resp('Redis unreachable') } } },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain; version=0.0.4' } } } },
    },
  };
}
