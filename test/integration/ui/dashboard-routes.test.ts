/**
 * The dashboard's routes through `buildApp` + `inject()` on real Redis: the static page (no token,
 * strict CSP, every referenced module served, nothing else), the session cookie, Bull Board behind
 * bearer-or-cookie auth and read-only (its assets load on this Node), and the manifest and launch
 * file routes with every refusal.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../orchestrator/api/api-deps.js';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { UI_CSP } from '../../../orchestrator/api/routes-ui.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import type { ArtifactsView } from '../../../orchestrator/records/build-view.js';
import { loadStaticFiles } from '../../../orchestrator/ui/static-files.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = 'ui-routes-token-a81f3c0d';
const auth = { authorization: `Bearer ${TOKEN}` };
const prefix = `t-uiroutes-${randomUUID().slice(0, 8)}`;
const recipe = (name: string): string => readFileSync(join(import.meta.dirname, '../../../recipes', name), 'utf8');
const L4_YAML = recipe('qwen2.5-7b-noquant-l4.yaml');
const H100_YAML = recipe('llama-3.1-8b-fp8-h100.yaml');

let redis: Redis;
let queue: BuildQueue;
let app: FastifyInstance;
const objects = new Map<string, Uint8Array>();
const publishedPlans = new Map<string, ArtifactsView>();
let publishedId = '';
let queuedId = '';
const responses: string[] = [];

async function get(
  url: string,
  headers: Record<string, string> = {},
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' = 'GET',
) {
  const r = await app.inject({ method, url, headers });
  responses.push(r.body, JSON.stringify(r.headers));
  return r;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new BuildQueue(redis, prefix, () => Date.now());
  // The L4 plan counts as published, with a manifest and one launch file in the "store".
  const l4 = planConfigText(L4_YAML).plan;
  if (!l4) throw new Error('the L4 recipe does not plan');
  const hex = l4.planHash.slice('sha256:'.length);
  const view: ArtifactsView = { store: 'memory://', prefix: `builds/${hex}/`, manifest: `builds/${hex}/manifest.json` };
  publishedPlans.set(l4.planHash, view);
  const manifest = {
    planHash: l4.planHash,
    launch: { 'trtllm-serve': { server: 'trtllm-serve', argv: ['trtllm-serve', '/models/artifact'] } },
    files: [
      { path: 'artifact/rank0.engine', size: 4, sha256: 'a'.repeat(64) },
      { path: 'launch/extra_llm_api_options.yaml', size: 17, sha256: 'b'.repeat(64) },
      { path: 'launch/missing.yaml', size: 3, sha256: 'c'.repeat(64) },
    ],
  };
  objects.set(view.manifest, Buffer.from(JSON.stringify(manifest)));
  objects.set(`${view.prefix}launch/extra_llm_api_options.yaml`, Buffer.from('max_batch_size: 32'));
  objects.set(`${view.prefix}artifact/rank0.engine`, Buffer.from('ENGN'));
  const deps: ApiDeps = {
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: { published: (h) => Promise.resolve(publishedPlans.get(h) ?? null) },
    readArtifact: (key) => Promise.resolve(objects.get(key) ?? null),
    tokens: [TOKEN],
    bodyLimit: 64 * 1024,
  };
  app = buildApp(deps);
  await app.ready();
  const sub = async (yaml: string): Promise<string> =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/builds',
        headers: { ...auth, 'content-type': 'application/yaml' },
        payload: yaml,
      })
    ).json<{ id: string }>().id;
  publishedId = await sub(L4_YAML);
  queuedId = await sub(H100_YAML);
});

afterAll(async () => {
  await app?.close();
  await queue?.close();
  if (redis) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
});

describe('/ui static page', () => {
  it('redirects /ui to /ui/ and serves the page without a token, with a strict CSP', async () => {
    const r0 = await get('/ui');
    expect(r0.statusCode).toBe(308);
    expect(r0.headers.location).toBe('/ui/');
    const r = await get('/ui/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(UI_CSP);
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).not.toContain('unsafe');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    // Nothing inline: the page's markup has no script or style bodies and no on* handlers.
    expect(r.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+=|style="/);
  });

  it('serves every file the page references (HTML links and module imports) and nothing else', async () => {
    const files = loadStaticFiles();
    const seen = new Set<string>(['index.html']);
    const queueOf = ['index.html'];
    while (queueOf.length > 0) {
      const name = queueOf.pop() ?? '';
      const text = files.get(name)?.body.toString('utf8') ?? '';
      const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
      for (const m of text.matchAll(/(?:href|src)="\.\/([^"]+)"|from '\.\/([^']+)'/g)) {
        const ref = `${dir}${m[1] ?? m[2] ?? ''}`;
        if (!seen.has(ref)) {
          seen.add(ref);
          queueOf.push(ref);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(8);
    for (const name of seen) {
      const r = await get(`/ui/${name}`);
      expect(r.statusCode, name).toBe(200);
      expect(r.headers['content-type'], name).toMatch(/^(text\/html|text\/javascript|text\/css)/);
    }
    for (const bad of [
      '/ui/nope.js',
      '/ui/js/sse.d.ts',
      '/ui/..%2f..%2fpackage.json',
      '/ui/%2e%2e/static-files.ts',
      '/ui/js/../../session-cookie.ts',
    ]) {
      const r = await get(bad);
      expect(r.statusCode, bad).toBe(404);
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/ui/js/main.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await get('/ui/js/main.js', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('session cookie and Bull Board', () => {
  const cookieOf = (setCookie: string | string[] | undefined): string => String(setCookie).split(';')[0] ?? '';

  it('issues the cookie only for a valid bearer token, HttpOnly, SameSite=Strict, scoped to /admin/queues', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: TOKEN }] as Record<
      string,
      string
    >[]) {
      const r = await get('/ui/session', headers, 'POST');
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const r = await get('/ui/session', auth, 'POST');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ path: '/admin/queues', expiresInSeconds: 900 });
    expect(String(r.headers['set-cookie'])).toMatch(
      /^trt_ui_session=v1\.\d+\.[A-Za-z0-9_-]{43}; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/,
    );
    const proxied = await get('/ui/session', { ...auth, 'x-forwarded-proto': 'https' }, 'POST');
    expect(String(proxied.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const cleared = await get('/ui/session', {}, 'DELETE');
    expect(cleared.statusCode).toBe(204);
    expect(String(cleared.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('lets a bearer header or the cookie in, and nothing else', async () => {
    const cookie = cookieOf((await get('/ui/session', auth, 'POST')).headers['set-cookie']);
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')); // a changed last character: other bytes, or a non-canonical twin (both refused)
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      expect((await get(url)).statusCode, url).toBe(401);
      expect((await get(url, { cookie: tampered })).statusCode, url).toBe(401);
      expect((await get(url, { authorization: 'Bearer nope' })).statusCode, url).toBe(401);
      expect((await get(url, auth)).statusCode, url).toBe(200);
      expect((await get(url, { cookie })).statusCode, url).toBe(200);
    }
    const page = await get('/admin/queues', { cookie });
    expect(page.headers['content-security-policy']).toContain("font-src 'self'");
    // Its assets come from @fastify/static (whose content-disposition 3.1 is ESM, required from CJS on Node 20).
    const asset = /src="(static\/js\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    expect((await get(`/admin/queues/${asset ?? ''}`, { cookie })).statusCode).toBe(200);
    expect((await get(`/admin/queues/${asset ?? ''}`)).statusCode).toBe(401);
  });

  it('is read-only: every queue is marked so, and changing methods are refused before Bull Board', async () => {
    const list = (await get('/admin/queues/api/queues', auth)).json<{
      queues: { name: string; readOnlyMode: boolean }[];
    }>();
    expect(list.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['io', 'build-L4', 'build-H100', 'webhooks']),
    );
    expect(list.queues.every((q) => q.readOnlyMode)).toBe(true);
    for (const [method, url] of [
      ['PUT', '/admin/queues/api/queues/io/pause'],
      ['PUT', '/admin/queues/api/queues/build-H100/clean/completed'],
      ['PUT', '/admin/queues/api/queues/build-H100/retry/failed'],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['POST', '/admin/queues/api/queues/io/add'],
      ['PUT', '/admin/queues/api/queues/io/promote'],
    ] as const) {
      const r = await get(url, auth, method);
      expect(r.statusCode, url).toBe(405);
      expect(r.json()).toMatchObject({ error: { code: 'ADMIN_READ_ONLY' } });
    }
    expect(await queue.queue('io').isPaused()).toBe(false);
    expect(await queue.queue('build-H100').getJobCounts('waiting-children', 'waiting')).not.toEqual({
      'waiting-children': 0,
      waiting: 0,
    });
  });
});

describe('manifest and launch files', () => {
  const url = (id: string, rest = 'manifest'): string => `/ui/api/builds/${id}/${rest}`;

  it('needs the bearer token', async () => {
    for (const u of [url(publishedId), url(publishedId, 'files/launch/extra_llm_api_options.yaml')]) {
      const r = await get(u);
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('returns the published manifest and the launch files it lists', async () => {
    const r = await get(url(publishedId), auth);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ launch: { 'trtllm-serve': { argv: ['trtllm-serve', '/models/artifact'] } } });
    const f = await get(url(publishedId, 'files/launch/extra_llm_api_options.yaml'), auth);
    expect(f.statusCode).toBe(200);
    expect(f.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(f.body).toBe('max_batch_size: 32');
  });

  it('refuses unknown builds, unpublished builds, unlisted or non-launch files, and missing objects', async () => {
    const cases: [string, number, string][] = [
      [url('0123456789abcdef-1'), 404, 'BUILD_NOT_FOUND'],
      [url('not-an-id'), 404, 'BUILD_NOT_FOUND'],
      [url(queuedId), 404, 'MANIFEST_NOT_PUBLISHED'],
      [url(publishedId, 'files/artifact/rank0.engine'), 404, 'ROUTE_NOT_FOUND'],
      [url(publishedId, 'files/launch/other.yaml'), 404, 'ROUTE_NOT_FOUND'],
      [url(publishedId, 'files/launch/../artifact/rank0.engine'), 404, 'ROUTE_NOT_FOUND'],
      [url(publishedId, 'files/launch/missing.yaml'), 404, 'MANIFEST_NOT_PUBLISHED'],
    ];
    for (const [u, status, code] of cases) {
      const r = await get(u, auth);
      expect(r.statusCode, u).toBe(status);
      expect(r.json<{ error: { code: string } }>().error.code, u).toBe(code);
    }
  });

  it('never echoed the token in any answer', () => {
    expect(responses.length).toBeGreaterThan(40);
    for (const body of responses) expect(body).not.toContain(TOKEN);
  });
});
