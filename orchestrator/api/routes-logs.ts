/**
 * `GET /v1/builds/:id/logs`: pages of numbered log lines (`?after=<seq>&limit=`), or a live
 * Server-Sent Events stream (`Accept: text/event-stream` or `?follow=true`). The stream sends the
 * backlog, then new lines as the process's one blocking reader (queue/log-follower.ts) sees them,
 * and ends with `event: end` (`{"status": …}`): the build finished, do not reconnect. A reconnect
 * (`Last-Event-ID`) to a finished build's stream gets the rest and `event: end` at once.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import { LogFollower, streamItem } from '../records/log-follower.js';
import type { StreamItem } from '../records/log-follower.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';

const LogQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  follow: z.enum(['true', 'false', '1', '0']).optional(),
});

/** Registers the log routes. */
export function registerLogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const store = deps.queue.store;
  let follower = deps.follower ?? null;
  let ownBlocking: { disconnect(): void } | null = null;
  const getFollower = (): LogFollower => {
    if (!follower) {
      const blocking = deps.redis.duplicate();
      ownBlocking = blocking;
      follower = new LogFollower(deps.redis, blocking, store.keys);
    }
    return follower;
  };
  // Open streams end when the app closes (otherwise the server would wait for them).
  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const stop of open) stop();
    done();
  });
  app.addHook('onClose', async () => {
    if (ownBlocking && follower) {
      await follower.close();
      ownBlocking.disconnect();
    }
  });
  app.get<{ Params: { id: string } }>('/v1/builds/:id/logs', async (req, reply) => {
    const q = LogQuery.safeParse(req.query);
    if (!q.success)
      return sendError(reply, 'BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const id = req.params.id;
    const status = BUILD_ID_RE.test(id) ? await store.status(id) : null;
    if (!status) return sendError(reply, 'BUILD_NOT_FOUND', 'no build has this id');
    const follow =
      q.data.follow === 'true' || q.data.follow === '1' || (req.headers.accept ?? '').includes('text/event-stream');
    if (!follow) return store.readLogs(id, q.data.after, q.data.limit);

    const lastId = Number(req.headers['last-event-id']);
    let after = Number.isInteger(lastId) && lastId > 0 ? lastId : q.data.after;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    res.write(`event: status\ndata: ${JSON.stringify({ status })}\n\n`);
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => (finish = r));
    let ended = false;
    const write = (items: readonly StreamItem[]): void => {
      for (const it of items) {
        if (ended) return;
        if (it.kind === 'end') {
          res.write(`event: end\ndata: ${JSON.stringify({ status: it.status })}\n\n`);
          ended = true;
          finish();
          return;
        }
        if (it.entry.seq <= after) continue;
        after = it.entry.seq;
        res.write(`id: ${it.entry.seq}\nevent: log\ndata: ${JSON.stringify(it.entry)}\n\n`);
      }
    };
    res.on('close', finish);
    open.add(finish);
    let unfollow: () => void = () => undefined;
    try {
      // The backlog first, then the follower from where it ended (it re-reads from that point, so
      // nothing written in between is missed; duplicates are skipped by seq).
      const backlog = await store.redis.xrange(store.keys.log(id), `${after + 1}-0`, '+');
      write(backlog.map(([eid, f]) => streamItem(eid, f)));
      if (!ended) unfollow = getFollower().follow(id, after, write);
      await finished;
    } catch (err) {
      req.log.warn({ err: String(err) }, 'log stream failed');
    } finally {
      unfollow();
      open.delete(finish);
      res.end();
    }
    return reply;
  });
}
