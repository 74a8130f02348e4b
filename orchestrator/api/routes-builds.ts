/**
 * `/v1/builds` and `/v1/plans`: submit (validate + plan with the trt-plan code, pre-flight, collapse
 * duplicates, optional `callback.url`), dry-run, status, list, cancel.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import { BUILD_STATUSES } from '../records/build-view.js';
import type { BuildView } from '../records/build-view.js';
import type { PlanOutcome } from '../queue/ports.js';
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

/** Largest accepted `callback.url`, bytes. */
export const CALLBACK_URL_MAX = 2048;

/** The optional `callback: {url}` of a JSON submit: an http(s) URL of at most 2 KB, or an error message. */
export function readCallback(body: unknown): { readonly url: string | null } | { readonly error: string } {
  if (typeof body !== 'object' || body === null || !('callback' in body)) return { url: null };
  const cb = (body as { callback?: unknown }).callback;
  if (cb === undefined || cb === null) return { url: null };
  const url = typeof cb === 'object' && !Array.isArray(cb) ? (cb as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') return { error: '"callback" must be an object {"url": "https://…"}' };
  if (url.length > CALLBACK_URL_MAX) return { error: `"callback.url" is over ${CALLBACK_URL_MAX} characters` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: '"callback.url" is not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { error: '"callback.url" must be an http or https URL' };
  return { url };
}

/** Validates, plans, and runs the pre-flight hook on a valid outcome. */
async function planWithPreflight(deps: ApiDeps, text: string): Promise<PlanOutcome> {
  const outcome = deps.planConfig(text);
  if (!outcome.valid || !outcome.plan || !deps.preflight) return outcome;
  const checked = await deps.preflight(outcome, text);
  return checked.errors.length > 0 ? { ...checked, valid: false } : checked;
}

/** Registers the build and plan routes. */
export function registerBuildRoutes(app: FastifyInstance, deps: ApiDeps): void {
  if (deps.statusListeners) deps.queue.notifier.add(deps.statusListeners);
  app.post('/v1/plans', async (req, reply) => {
    const body = readConfigBody(req.body);
    if (!body.ok) return sendError(reply, 'BAD_REQUEST', body.message);
    const outcome = await planWithPreflight(deps, body.text);
    return reply.code(outcome.valid && outcome.plan ? 200 : 422).send(outcome);
  });

  app.post('/v1/builds', async (req, reply) => {
    const body = readConfigBody(req.body);
    if (!body.ok) return sendError(reply, 'BAD_REQUEST', body.message);
    const callback = readCallback(req.body);
    if ('error' in callback) return sendError(reply, 'BAD_REQUEST', callback.error);
    const outcome = await planWithPreflight(deps, body.text);
    if (!outcome.valid || !outcome.plan) return reply.code(422).send(outcome);
    const published = await deps.publisher.published(outcome.plan.planHash);
    const { created, build } = await deps.queue.submit(
      outcome.plan,
      published,
      deps.configForRecord?.(body.text) ?? null,
      callback.url,
    );
    return reply
      .code(created && build.status === 'queued' ? 202 : 200)
      .header('location', `/v1/builds/${build.id}`)
      .send({
        id: build.id,
        status: build.status,
        planHash: build.planHash,
        created,
        warnings: outcome.warnings,
        links: buildLinks(build.id),
        ...(outcome.preflight ? { preflight: outcome.preflight } : {}),
      });
  });

  app.get('/v1/builds', async (req, reply) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success)
      return sendError(reply, 'BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { items, total } = await deps.queue.store.list(q.data.status ?? null, q.data.offset, q.data.limit);
    return { items, total, offset: q.data.offset, limit: q.data.limit };
  });

  app.get<{ Params: { id: string } }>('/v1/builds/:id', async (req, reply) => {
    const build = BUILD_ID_RE.test(req.params.id) ? await deps.queue.view(req.params.id) : null;
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
