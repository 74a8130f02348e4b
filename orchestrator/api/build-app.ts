/**
 * The fastify app factory. It never listens: `main/trt-api.ts` does, tests use `inject()`.
 * Bearer auth on every `/v1` route, YAML and JSON bodies, `{error: {code, message}}` errors.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from './api-deps.js';
import { codeForFastifyError, sendError } from './api-error.js';
import { bearerChecker } from './bearer-auth.js';
import { answerClientError, BodyRejected, boundedJsonParser } from './bounded-body.js';
import { registerRequestLog } from './request-log.js';
import { registerBuildRoutes } from './routes-builds.js';
import { registerLogRoutes } from './routes-logs.js';
import { registerOpsRoutes } from './routes-ops.js';
import { registerWebhookRoutes } from './routes-webhooks.js';
import { registerDashboard } from './routes-ui.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

// Over-long path parameters and undecodable URLs, refused by the router before any hook runs.
function answerFrameworkError(error: FastifyError, _req: unknown, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendError(reply, 'URI_TOO_LONG', 'a path parameter is too long');
  else void sendError(reply, 'BAD_REQUEST', 'the request URL is malformed');
}

/** Builds the REST app over `deps`. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimit,
    return503OnClosing: true,
    // Our own request log (request-log.ts) redacts query values; fastify's would log them. (The
    // LogController option replaces the deprecated top-level `disableRequestLogging`, FSTDEP023.)
    logController: new LogController({ disableRequestLogging: true }),
    // Errors raised before routing (bad URL encoding, over-long path parameters, HTTP parser
    // errors such as oversized headers) get the same `{error: {code, message}}` body.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const authorized = bearerChecker(deps.tokens);

  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    boundedJsonParser(app.getDefaultJsonParser('error', 'error')),
  );
  registerRequestLog(app);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/') && req.url !== '/v1') return;
    if (!authorized(req.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      await sendError(reply, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const code = codeForFastifyError(error.code, error.statusCode);
    if (code === 'INTERNAL_ERROR' && deps.redis.status !== 'ready') {
      req.log.warn({ err: error.message, redis: deps.redis.status }, 'redis unavailable');
      return sendError(reply, 'SERVICE_UNAVAILABLE', 'the queue store (redis) is unreachable; retry later');
    }
    if (code === 'INTERNAL_ERROR') {
      req.log.error({ err: error.message }, 'request failed');
      return sendError(reply, code, 'internal error');
    }
    if (code === 'PAYLOAD_TOO_LARGE') return sendError(reply, code, `the request body is over ${deps.bodyLimit} bytes`);
    if (code === 'UNSUPPORTED_MEDIA_TYPE') return sendError(reply, code, 'send application/yaml or application/json');
    if (error instanceof BodyRejected) return sendError(reply, 'BAD_REQUEST', error.message);
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
      return sendError(reply, 'BAD_REQUEST', 'the body is not valid JSON');
    // Never echo parser messages: they quote the body, which may hold a secret.
    return sendError(reply, code, `the request was rejected (${error.code ?? 'malformed request'})`);
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: 'no such route' } }),
  );

  registerOpsRoutes(app, deps);
  registerBuildRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerDashboard(app, deps);
  return app;
}
