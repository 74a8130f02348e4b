/**
 * The OpenAPI 3.1 description served at `/openapi.json`. Component schemas are generated from the
 * zod schemas in `api-schemas.ts` (the client parses with the same ones); paths are written here.
 * A test lints it with Redocly and validates real responses of every route against it.
 */
import { z } from 'zod';
import { BuildStatus } from '../build/state-machine.js';
import { BUILD_ID_PATTERN, COMPONENT_SCHEMAS } from './api-schemas.js';

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const resp = (description: string, schema: Json = ref('Error')): Json => ({ description, content: json(schema) });
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Build id: 16 hex digits of the plan hash, a dash, the generation',
  schema: { type: 'string', pattern: BUILD_ID_PATTERN },
};
const configBody = (withCallback: boolean): Json => ({
  required: true,
  description: withCallback
    ? 'A Truss config.yaml with a trt_llm section (YAML body), or JSON `{"config": …, "callback": {"url": …}}`'
    : 'A Truss config.yaml with a trt_llm section (YAML body), or JSON `{"config": …}`',
  content: {
    ...Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: 'string', description: 'config.yaml text' } }])),
    'application/json': {
      schema: withCallback
        ? ref('SubmitRequest')
        : {
            type: 'object',
            required: ['config'],
            properties: { config: { oneOf: [{ type: 'object' }, { type: 'string' }] } },
          },
    },
  },
});

// Answers every /v1 route can give besides its own.
const authErrors = {
  '401': {
    ...resp('Missing or invalid bearer token'),
    headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } } },
  },
  '503': resp('The queue store (Redis) is unreachable; retry later'),
};
const bodyErrors = {
  '400': resp('Malformed body (bad JSON, empty YAML, wrong `config` type)'),
  '413': resp('Body over the configured limit'),
  '415': resp('Body is neither YAML nor JSON'),
};
const notFound = { '404': resp('No build has this id') };
const badQuery = { '400': resp('Invalid query parameter') };

const logsDescription = [
  'Step logs. JSON: a page of numbered lines after `after`. With `Accept: text/event-stream` or `follow=true`:',
  'a Server-Sent Events stream with events `log` (id = line seq, data = LogEntry JSON), `status` (data = {"status"})',
  'and a final `end` (data = {"status"}) once the build finished and every line was sent; reconnect with',
  '`Last-Event-ID` to resume after the last line seen. Do not reconnect after `end`.',
].join(' ');

/** The component schemas, generated from the zod schemas (`$ref`s between them point into components). */
export function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const s of COMPONENT_SCHEMAS) {
    const id = s.meta()?.id;
    if (typeof id === 'string') registry.add(s, { id });
  }
  const out = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }).schemas;
  const clean: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(out)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Json;
    clean[id] = rest;
  }
  return clean;
}

/** The OpenAPI document. */
export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'TensorRT-LLM engine build orchestrator',
      version: '0.1.0',
      description:
        'Validate Truss trt_llm configs, plan exact builds, run them from a queue, publish verified engines. Errors are `{error: {code, message}}` with codes from the one registry.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The trt-api service' }],
    tags: [
      { name: 'builds', description: 'Submit, follow and cancel builds' },
      { name: 'ops', description: 'Health, readiness, metrics' },
    ],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'One of the API_TOKENS' } },
      schemas: componentSchemas(),
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/builds': {
        post: {
          operationId: 'submitBuild',
          tags: ['builds'],
          summary: 'Validate, plan and enqueue a build',
          requestBody: configBody(true),
          responses: {
            '202': {
              ...resp('New build queued', ref('Submitted')),
              headers: { Location: { schema: { type: 'string' } } },
            },
            '200': {
              ...resp(
                'Same plan already queued, running or published (then `created` is false or the build already succeeded)',
                ref('Submitted'),
              ),
              headers: { Location: { schema: { type: 'string' } } },
            },
            '422': resp('Config has errors', ref('Diagnostics')),
            ...bodyErrors,
            ...authErrors,
          },
        },
        get: {
          operationId: 'listBuilds',
          tags: ['builds'],
          summary: 'List builds, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: BuildStatus.options } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          ],
          responses: { '200': resp('A page of builds', ref('BuildList')), ...badQuery, ...authErrors },
        },
      },
      '/v1/plans': {
        post: {
          operationId: 'planConfig',
          tags: ['builds'],
          summary: 'Dry run: validate and plan, enqueue nothing',
          requestBody: configBody(false),
          responses: {
            '200': resp('The plan', ref('Diagnostics')),
            '422': resp('Config has errors', ref('Diagnostics')),
            ...bodyErrors,
            ...authErrors,
          },
        },
      },
      '/v1/builds/{id}': {
        get: {
          operationId: 'getBuild',
          tags: ['builds'],
          summary: 'A build: status, steps, attempts, artifacts',
          parameters: [idParam],
          responses: { '200': resp('The build', ref('Build')), ...notFound, ...authErrors },
        },
      },
      '/v1/builds/{id}/logs': {
        get: {
          operationId: 'getBuildLogs',
          tags: ['builds'],
          summary: 'Step logs: pages (JSON) or a live stream (SSE)',
          description: logsDescription,
          parameters: [
            idParam,
            {
              name: 'after',
              in: 'query',
              description: 'Return lines with seq > after',
              schema: { type: 'integer', minimum: 0, default: 0 },
            },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
            {
              name: 'follow',
              in: 'query',
              description: 'Stream (same as Accept: text/event-stream)',
              schema: { type: 'string', enum: ['true', 'false', '1', '0'] },
            },
            {
              name: 'Last-Event-ID',
              in: 'header',
              description: 'Resume a stream after this line seq',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description: 'A log page, or an SSE stream',
              content: {
                'application/json': { schema: ref('LogPage') },
                'text/event-stream': { schema: { type: 'string', description: 'events log, status, end' } },
              },
            },
            ...badQuery,
            ...notFound,
            ...authErrors,
          },
        },
      },
      '/v1/builds/{id}/cancel': {
        post: {
          operationId: 'cancelBuild',
          tags: ['builds'],
          summary: 'Cancel a build',
          parameters: [idParam],
          responses: {
            '200': resp('Cancelled (it was queued)', ref('Build')),
            '202': resp('Cancel requested (it is running; follow it until `cancelled`)', ref('Build')),
            ...notFound,
            '409': resp('The build already finished'),
            ...authErrors,
          },
        },
      },
      '/v1/builds/{id}/webhooks': {
        get: {
          operationId: 'listBuildWebhooks',
          tags: ['builds'],
          summary: 'Webhook delivery attempts for a build, oldest first',
          parameters: [idParam],
          responses: { '200': resp('Delivery attempts', ref('WebhookDeliveries')), ...notFound, ...authErrors },
        },
      },
      '/v1/workers': {
        get: {
          operationId: 'listWorkers',
          tags: ['ops'],
          summary: 'Registered workers, their GPUs and what each runs',
          responses: { '200': resp('Workers', ref('WorkerList')), ...authErrors },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          tags: ['ops'],
          security: [],
          summary: 'Process is up',
          responses: { '200': resp('ok', ref('Health')) },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          tags: ['ops'],
          security: [],
          summary: 'Redis reachable',
          responses: { '200': resp('ready', ref('Ready')), '503': resp('Redis unreachable') },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          tags: ['ops'],
          security: [],
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '503': authErrors['503'],
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openApi',
          tags: ['ops'],
          security: [],
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
  };
}
