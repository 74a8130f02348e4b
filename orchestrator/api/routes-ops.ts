/**
 * Operational routes: unauthenticated `/healthz`, `/readyz` (Redis PING with a deadline),
 * `/metrics` (Prometheus text) and `/openapi.json`; `/v1/workers` (bearer auth) lists the
 * registered workers.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';
import { openApiDocument } from './openapi.js';
import { renderMetrics } from './render-metrics.js';

/** Resolves `p`, or rejects after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the operational routes. */
export function registerOpsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const doc = openApiDocument();
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      if (deps.redis.status !== 'ready') throw new Error(deps.redis.status);
      await within(deps.redis.ping(), 1000);
      return { status: 'ready' };
    } catch {
      return sendError(reply, 'SERVICE_UNAVAILABLE', 'redis is not reachable');
    }
  });
  app.get('/metrics', async (_req, reply) => {
    const [depths, byStatus, snapshot] = await Promise.all([
      deps.queue.depths(),
      deps.queue.store.countByStatus(),
      deps.queue.metrics.snapshot(),
    ]);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics({ depths, byStatus, snapshot }));
  });
  app.get('/openapi.json', () => doc);
  // Registered workers (heartbeat registry): capacity, who holds each GPU, last heartbeat.
  app.get('/v1/workers', async () => {
    const workers = await deps.queue.metrics.workers.list();
    const items = workers
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((w) => ({
        name: w.name,
        host: w.host,
        gpuType: w.gpuType,
        io: w.io,
        gpus: w.gpuIds.map((id) => ({ id, build: w.holders[id]?.build ?? null, step: w.holders[id]?.step ?? null })),
        lastHeartbeat: new Date(w.lastHeartbeat).toISOString(),
      }));
    return { items };
  });
}
