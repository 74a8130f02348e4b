/**
 * The dashboard (`/ui`) and its few routes of its own:
 * - `GET /ui/…`: the static page (no token: it holds no data), with a strict Content-Security-Policy;
 * - `POST /ui/session` (bearer): a short-lived HttpOnly, SameSite=Strict cookie scoped to Bull
 *   Board's path, for browser navigation; `DELETE /ui/session` removes it;
 * - `GET /ui/api/builds/:id/manifest` (bearer): the published manifest (files, sources, launch
 *   commands) read from the artifact store; `GET /ui/api/builds/:id/files/launch/…` (bearer): a
 *   launch file the manifest lists.
 * Every data call of the page goes to `/v1` or `/ui/api` with the bearer header.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../build/error-codes.js';
import { BUILD_ID_RE } from '../queue/job-catalog.js';
import { loadStaticFiles } from '../ui/static-files.js';
import { sessionClearCookie, sessionCookies, sessionSetCookie } from '../ui/session-cookie.js';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './api-error.js';
import { bearerChecker } from './bearer-auth.js';
import { BULL_BOARD_PATH, registerBullBoard } from './bull-board.js';

/** The page's policy: its own scripts and styles only, data from this origin only, no framing. */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Largest manifest or launch file the dashboard routes return, bytes. */
const FILE_LIMIT = 4 * 1024 * 1024;

/** The `launch/…` entries of a manifest's file list (empty when it is not the expected JSON). */
export function launchFilesIn(manifest: Uint8Array): { path: string; size: number }[] {
  try {
    const m = JSON.parse(Buffer.from(manifest).toString('utf8')) as { files?: unknown };
    if (!Array.isArray(m.files)) return [];
    return m.files.filter(
      (f): f is { path: string; size: number } =>
        typeof f === 'object' &&
        f !== null &&
        typeof (f as { path?: unknown }).path === 'string' &&
        (f as { path: string }).path.startsWith('launch/') &&
        typeof (f as { size?: unknown }).size === 'number',
    );
  } catch {
    return [];
  }
}

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

/** Registers `/ui`, the session routes, the manifest route and Bull Board. */
export function registerDashboard(app: FastifyInstance, deps: ApiDeps): void {
  const files = loadStaticFiles();
  const authorized = bearerChecker(deps.tokens);
  const session = sessionCookies(deps.tokens, 'bull-board');
  // Secure when the request came over HTTPS, directly or through a TLS-terminating proxy (adding
  // Secure on a forged header only keeps the cookie off plain HTTP: harmless).
  const secure = (req: FastifyRequest): boolean =>
    req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';

  app.get('/ui', (_req, reply) => reply.redirect('/ui/', 308));
  app.get<{ Params: { '*': string } }>('/ui/*', async (req, reply) => {
    const name = req.params['*'] === '' ? 'index.html' : req.params['*'];
    const file = files.get(name);
    if (!file) return sendError(reply, 'ROUTE_NOT_FOUND', 'no such dashboard file');
    pageHeaders(reply).header('etag', file.etag).type(file.contentType);
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  });

  app.post('/ui/session', async (req, reply) => {
    if (!authorized(req.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    const token = (req.headers.authorization ?? '').slice('Bearer '.length);
    const issued = session.issue(token);
    reply
      .header('set-cookie', sessionSetCookie(issued.value, issued.maxAgeSeconds, BULL_BOARD_PATH, secure(req)))
      .header('cache-control', 'no-store');
    return { path: BULL_BOARD_PATH, expiresInSeconds: issued.maxAgeSeconds };
  });
  app.delete('/ui/session', async (req, reply) => {
    reply.header('set-cookie', sessionClearCookie(BULL_BOARD_PATH, secure(req)));
    return reply.code(204).send();
  });

  // The published manifest of a build, or null after an error was sent.
  const manifestOf = async (
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
  ): Promise<{ bytes: Uint8Array; prefix: string } | null> => {
    if (!authorized(req.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      await sendError(reply, 'UNAUTHORIZED', 'a valid bearer token is required');
      return null;
    }
    const build = BUILD_ID_RE.test(req.params.id) ? await deps.queue.store.get(req.params.id) : null;
    const fail = async (code: ErrorCode, message: string): Promise<null> => (
      await sendError(reply, code, message),
      null
    );
    if (!build) return fail('BUILD_NOT_FOUND', 'no build has this id');
    if (!build.artifacts)
      return fail(
        'MANIFEST_NOT_PUBLISHED',
        `the build is ${build.status}; its manifest exists once it has been published`,
      );
    if (!deps.readArtifact)
      return fail('SERVICE_UNAVAILABLE', 'this API process has no artifact store to read the manifest from');
    const bytes = await deps.readArtifact(build.artifacts.manifest);
    if (!bytes)
      return fail('MANIFEST_NOT_PUBLISHED', 'the manifest is not in the artifact store (removed after publishing?)');
    if (bytes.byteLength > FILE_LIMIT) return fail('SERVICE_UNAVAILABLE', `the manifest is over ${FILE_LIMIT} bytes`);
    return { bytes, prefix: build.artifacts.prefix };
  };
  app.get<{ Params: { id: string } }>('/ui/api/builds/:id/manifest', async (req, reply) => {
    const m = await manifestOf(req, reply);
    if (!m) return reply;
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(Buffer.from(m.bytes));
  });
  // A launch file the manifest lists (`launch/…`), as text: only names found in the manifest are read.
  app.get<{ Params: { id: string; '*': string } }>('/ui/api/builds/:id/files/*', async (req, reply) => {
    const m = await manifestOf(req, reply);
    if (!m) return reply;
    const path = req.params['*'];
    const listed = launchFilesIn(m.bytes).find((f) => f.path === path);
    if (!listed) return sendError(reply, 'ROUTE_NOT_FOUND', 'the manifest lists no such launch file');
    if (listed.size > FILE_LIMIT)
      return sendError(reply, 'SERVICE_UNAVAILABLE', `the file is over ${FILE_LIMIT} bytes`);
    const bytes = await deps.readArtifact?.(`${m.prefix}${listed.path}`);
    if (!bytes) return sendError(reply, 'MANIFEST_NOT_PUBLISHED', 'the file is not in the artifact store');
    return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(Buffer.from(bytes));
  });

  registerBullBoard(app, deps, authorized, session);
}
