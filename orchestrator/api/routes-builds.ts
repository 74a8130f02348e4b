/**
 * `/v1/builds` and `/v1/plans`: submit (validate + plan with the trt-plan code, collapse
 * duplicates), dry-run, status, list, cancel.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import { BUILD_STATUSES } from '../queue/build-view.js';
import type { BuildView } from '../queue/build-view.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';
import { readConfigBody } from './read-config-body.js';

const ListQuery = z.object({
  status: z.enum(BUILD_STATUSES).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Links a client follows from a build. */
export function buildLinks(id: string): Record<string, string> {
  return { self: `/v1/builds/${id}`, logs: `/v1/builds/${id}/logs`, cancel: `/v1/builds/${id}/cancel` };
}

/** Registers the build and plan routes. */
export function registerBuildRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/plans', async (req, reply) => {
    const body = readConfigBody(req.body);
    if (!body.ok) return sendError(reply, 'BAD_REQUEST', body.message);
    const outcome = deps.planConfig(body.text);
    return reply.code(outcome.valid && outcome.plan ? 200 : 422).send(outcome);
  });

  app.post('/v1/builds', async (req, reply) => {
    const body = readConfigBody(req.body);
    if (!body.ok) return sendError(reply, 'BAD_REQUEST', body.message);
    const outcome = deps.planConfig(body.text);
    if (!outcome.valid || !outcome.plan) return reply.code(422).send(outcome);
    const published = await deps.publisher.published(outcome.plan.planHash);
    const { created, build } = await deps.queue.submit(outcome.plan, published, deps.configForRecord?.(body.text) ?? null);
    return reply
      .code(created && build.status === 'queued' ? 202 : 200)
      .header('location', `/v1/builds/${build.id}`)
      .send({ id: build.id, status: build.status, planHash: build.planHash, created, warnings: outcome.warnings, links: buildLinks(build.id) });
  });

  app.get('/v1/builds', async (req, reply) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return sendError(reply, 'BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { items, total } = await deps.queue.store.list(q.data.status ?? null, q.data.offset, q.data.limit);
    return { items, total, offset: q.data.offset, limit: q.data.limit };
  });

  app.get<{ Params: { id: string } }>('/v1/builds/:id', async (req, reply) => {
    const build = BUILD_ID_RE.test(req.params.id) ? await deps.queue.store.get(req.params.id) : null;
    if (!build) return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
    return withLinks(build);
  });

  app.post<{ Params: { id: string } }>('/v1/builds/:id/cancel', async (req, reply) => {
    if (!BUILD_ID_RE.test(req.params.id)) return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
    const r = await deps.queue.cancel(req.params.id);
    switch (r.kind) {
      case 'not_found':
        return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
      case 'finished':
        return sendError(reply, 'BUILD_ALREADY_FINISHED', `the build already finished (${r.build.status})`);
      case 'cancelled':
        return reply.code(200).send(withLinks(r.build));
      case 'requested':
        return reply.code(202).send(withLinks(r.build));
    }
  });
}

function withLinks(b: BuildView): BuildView & { links: Record<string, string> } {
  return { ...b, links: buildLinks(b.id) };
}
