/**
 * `GET /v1/builds/:id/logs`: pages of numbered log lines (`?after=<seq>&limit=`), or a live
 * Server-Sent Events stream (`Accept: text/event-stream` or `?follow=true`) that ends when the
 * build has finished and every line was sent. `Last-Event-ID` resumes a stream.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BuildStatus } from '../queue/build-view.js';
import { isTerminalStatus } from '../queue/build-view.js';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';

const LogQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  follow: z.enum(['true', 'false', '1', '0']).optional(),
});

/** Registers the log routes. */
export function registerLogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const pollMs = deps.streamPollMs ?? 250;
  // Open streams end when the app closes (otherwise the server would wait for them).
  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const stop of open) stop();
    done();
  });
  app.get<{ Params: { id: string } }>('/v1/builds/:id/logs', async (req, reply) => {
    const q = LogQuery.safeParse(req.query);
    if (!q.success) return sendError(reply, 'BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const id = req.params.id;
    const status = BUILD_ID_RE.test(id) ? await deps.queue.store.status(id) : null;
    if (!status) return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
    const follow = q.data.follow === 'true' || q.data.follow === '1' || (req.headers.accept ?? '').includes('text/event-stream');
    if (!follow) return deps.queue.store.readLogs(id, q.data.after, q.data.limit);

    const lastId = Number(req.headers['last-event-id']);
    let after = Number.isInteger(lastId) && lastId > 0 ? lastId : q.data.after;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'close', 'x-accel-buffering': 'no' });
    let closed = false;
    let wake: (() => void) | null = null;
    const stop = (): void => {
      closed = true;
      wake?.();
    };
    // The response's `close`: the client went away (the request's fires as soon as it was read).
    res.on('close', stop);
    open.add(stop);
    let lastStatus: BuildStatus | null = null;
    try {
      while (!closed) {
        const st = (await deps.queue.store.status(id)) ?? 'cancelled';
        const page = await deps.queue.store.readLogs(id, after, 1000);
        for (const e of page.entries) res.write(`id: ${e.seq}\nevent: log\ndata: ${JSON.stringify(e)}\n\n`);
        after = page.next;
        if (st !== lastStatus) {
          res.write(`event: status\ndata: ${JSON.stringify({ status: st })}\n\n`);
          lastStatus = st;
        }
        if (isTerminalStatus(st) && page.entries.length === 0) {
          res.write(`event: end\ndata: ${JSON.stringify({ status: st })}\n\n`);
          break;
        }
        if (page.entries.length === 0 && !closed) {
          await new Promise<void>((r) => {
            const t = setTimeout(r, pollMs);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
          wake = null;
        }
      }
    } catch (err) {
      req.log.warn({ err: String(err) }, 'log stream failed');
    } finally {
      open.delete(stop);
      res.end();
    }
    return reply;
  });
}
