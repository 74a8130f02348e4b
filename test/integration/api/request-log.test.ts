// The app's request logging: fastify's own per-request lines are off through the LogController
// (the supported option; the top-level `disableRequestLogging` is deprecated, FSTDEP023), and our
// one line per request carries the URL with every query value redacted.
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../orchestrator/api/api-deps.js';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { redactRequestUrl } from '../../../orchestrator/api/request-log.js';
import { openTestQueue, type TestQueue } from '../../support/redis-queue.js';

const TOKEN = 'unit-api-token-0123456789';
const QUERY_TOKEN = 'query-LEAKCANARY-4b3a2c';

let q: TestQueue;
beforeAll(() => {
  q = openTestQueue('reqlog');
});
afterAll(async () => {
  await q.close();
});

/** The app over real Redis; the planner and publisher are never reached by these requests. */
function app(logger: FastifyBaseLogger) {
  const deps: ApiDeps = {
    redis: q.redis,
    queue: q.queue,
    planConfig: () => {
      throw new Error('not used');
    },
    publisher: { published: () => Promise.resolve(null) },
    tokens: [TOKEN],
    bodyLimit: 1024,
    logger,
  };
  return buildApp(deps);
}

function memoryLogger(): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return {
    logger: pino({ level: 'debug' }, sink),
    lines: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('request logging', () => {
  it('starting the app emits no deprecation warning', async () => {
    process.on('warning', onWarning);
    const { logger } = memoryLogger();
    const a = app(logger);
    await a.listen({ host: '127.0.0.1', port: 0 });
    await fetch(`http://127.0.0.1:${(a.server.address() as { port: number }).port}/healthz`);
    await a.close();
    // process.emitWarning delivers on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(process.noDeprecation).not.toBe(true);
    expect(warnings.map((w) => `${w.name} ${(w as { code?: string }).code ?? ''}: ${w.message}`)).toEqual([]);
  });

  it('writes one redacted line per request and none of fastify’s own (which would log the query)', async () => {
    const { logger, lines } = memoryLogger();
    const a = app(logger);
    const r = await a.inject({ method: 'GET', url: `/v1/builds?access_token=${QUERY_TOKEN}&x=1` });
    expect(r.statusCode).toBe(401);
    await a.inject({ method: 'GET', url: `/no/such/route?token=${QUERY_TOKEN}` });
    await a.close();
    const all = lines();
    expect(JSON.stringify(all)).not.toContain(QUERY_TOKEN);
    expect(all.map((l) => l['msg'])).not.toContain('incoming request');
    const done = all.filter((l) => l['msg'] === 'request completed');
    expect(done.map((l) => [l['method'], l['url'], l['statusCode']])).toEqual([
      ['GET', '/v1/builds?access_token=REDACTED&x=REDACTED', 401],
      ['GET', '/no/such/route?token=REDACTED', 404],
    ]);
    expect(done.every((l) => !('req' in l) && !('res' in l))).toBe(true);
  });

  it('redacts every query value and bounds the URL', () => {
    expect(redactRequestUrl('/v1/builds')).toBe('/v1/builds');
    expect(redactRequestUrl(`/a?t=${QUERY_TOKEN}`)).toBe('/a?t=REDACTED');
    expect(redactRequestUrl(`/${'p'.repeat(600)}`)).toHaveLength(512);
  });
});
