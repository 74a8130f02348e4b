/**
 * Bull Board (the BullMQ ecosystem's admin UI) mounted read-only at `/admin/queues`, behind the
 * same auth as the API: a bearer header, or the operator session cookie that `POST /ui/session`
 * issues (browsers cannot send a bearer header on navigation). Every queue is added with
 * `readOnlyMode: true`, and any method but GET/HEAD is refused before Bull Board sees it.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { GPU_TYPES } from '../gpu/catalog.js';
import { IO_QUEUE, buildQueueName } from '../queue/job-catalog.js';
import { WEBHOOK_QUEUE } from '../webhooks/webhook-queue.js';
import type { SessionCookies } from '../ui/session-cookie.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';

/** Where Bull Board is mounted (also the session cookie's path). */
export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board's page has inline styles and asks for a web font from a CDN: styles inline are
 * allowed, everything else (the font included) only from this origin, so it works air-gapped.
 */
const BULL_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

/** The BullMQ queues the service uses: the IO queue, one build queue per GPU type, webhook deliveries. */
export function serviceQueueNames(): string[] {
  return [IO_QUEUE, ...GPU_TYPES.map((t) => buildQueueName(t)), WEBHOOK_QUEUE];
}

/** Registers Bull Board; `authorized` checks the bearer header, `session` the cookie. */
export function registerBullBoard(
  app: FastifyInstance,
  deps: ApiDeps,
  authorized: (header: string | undefined) => boolean,
  session: SessionCookies,
): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: serviceQueueNames().map((name) => new BullMQAdapter(deps.queue.queue(name), { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'trt-orchestrator queues' } },
  });
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!authorized(req.headers.authorization) && !session.accepts(req.headers.cookie)) {
        reply.header('www-authenticate', 'Bearer');
        return sendError(
          reply,
          'UNAUTHORIZED',
          `a valid bearer token or a session cookie from POST /ui/session is required`,
        );
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        reply.header('allow', 'GET, HEAD');
        return sendError(reply, 'ADMIN_READ_ONLY', 'the queue admin view is read-only');
      }
      reply
        .header('content-security-policy', BULL_BOARD_CSP)
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store');
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}
