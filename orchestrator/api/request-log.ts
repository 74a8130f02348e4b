/**
 * Request logging that never writes a credential: the URL is logged with every query value
 * replaced (a token pasted into `?access_token=` stays out of the log) and headers are not logged.
 */
import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../config/redact-url.js';

/** `req.url` (path and query) with the query values replaced by `REDACTED`; bounded to 512 characters. */
export function redactRequestUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url.slice(0, 512);
  const redacted = redactUrl(`http://h${url.startsWith('/') ? '' : '/'}${url}`);
  const path = redacted.startsWith('http://h/') ? redacted.slice('http://h'.length) : `${url.slice(0, q)}?REDACTED`;
  return path.slice(0, 512);
}

/** One log line per completed request: method, redacted URL, status, time (fastify's own request logging is off). */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        url: redactRequestUrl(req.url),
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
}
