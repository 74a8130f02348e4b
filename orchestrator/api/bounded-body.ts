/**
 * Request bodies and malformed requests, bounded before anything parses them: a JSON body is
 * scanned for nesting depth and value count (an iterative pass that cannot overflow) before
 * JSON.parse runs, and errors raised by the HTTP parser itself (oversized headers or URL, garbage)
 * are answered with the API's `{error: {code, message}}` body instead of node's or fastify's.
 */
import type { Socket } from 'node:net';
import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../build/error-codes.js';
import type { ErrorCode } from '../build/error-codes.js';
import { scanJsonBounds } from '../config/input-bounds.js';

/** A body refused by a bound; its message names the bound, never the body. */
export class BodyRejected extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'BodyRejected';
  }
}

type Done = (err: Error | null, body?: unknown) => void;

/** Wraps fastify's JSON parser (which keeps its prototype-poisoning checks) with the bounds scan. */
export function boundedJsonParser(
  parse: FastifyBodyParser<string>,
): (req: FastifyRequest, body: string, done: Done) => void {
  return (req, body, done) => {
    const problem = scanJsonBounds(body);
    if (problem !== null) {
      done(new BodyRejected(`the JSON body is ${problem.message} (at character ${problem.offset})`));
      return;
    }
    if (parse.length >= 3) {
      (parse as (r: FastifyRequest, b: string, d: Done) => void)(req, body, done);
      return;
    }
    (parse as (r: FastifyRequest, b: string) => Promise<unknown>)(req, body).then(
      (v) => done(null, v),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};
const MAX_REQUEST_LINE = 8192;

/** The answer to an HTTP-parser error: which code and message (pure; exported for tests). */
export function clientErrorAnswer(
  errCode: string | undefined,
  rawPacket: Buffer | undefined,
): { code: ErrorCode; message: string } {
  if (errCode === 'HPE_HEADER_OVERFLOW') {
    const lineEnd = rawPacket?.indexOf('\r\n') ?? -1;
    if (rawPacket !== undefined && (lineEnd === -1 || lineEnd > MAX_REQUEST_LINE))
      return { code: 'URI_TOO_LONG', message: 'the request URL is too long' };
    return { code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' };
  }
  if (errCode === 'HPE_URI_TOO_LONG') return { code: 'URI_TOO_LONG', message: 'the request URL is too long' };
  return { code: 'BAD_REQUEST', message: 'the request could not be parsed as HTTP/1.1' };
}

/** fastify `clientErrorHandler`: writes a JSON error response and closes the connection. */
export function answerClientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { code, message } = clientErrorAnswer(err.code, Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined);
  const status = ERROR_CODES[code].httpStatus;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
