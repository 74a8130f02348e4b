/**
 * `GET /v1/builds/:id/webhooks`: the webhook delivery attempts of a build, oldest first (an empty
 * list when webhooks are off or nothing was sent yet).
 */
import type { FastifyInstance } from 'fastify';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import { DeliveryLog } from '../webhooks/delivery-log.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';

/** Registers the webhook route (records live under the build store's keys). */
export function registerWebhookRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const log = DeliveryLog.atBase(deps.redis, deps.queue.store.keys.base);
  app.get<{ Params: { id: string } }>('/v1/builds/:id/webhooks', async (req, reply) => {
    const exists = BUILD_ID_RE.test(req.params.id) ? await deps.queue.store.status(req.params.id) : null;
    if (!exists) return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
    return { buildId: req.params.id, attempts: await log.attempts(req.params.id) };
  });
}
