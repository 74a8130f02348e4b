/**
 * API errors: `{error: {code, message}}` with the HTTP status from the one error-code registry.
 */
import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../build/error-codes.js';
import { ERROR_CODES } from '../build/error-codes.js';

export interface ApiErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** Sends the registry status for `code` with a stable error body. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(ERROR_CODES[code].httpStatus).send({ error: { code, message } } satisfies ApiErrorBody);
}

/** Maps fastify's own error codes (body limit, media type, JSON) to registry codes. */
export function codeForFastifyError(fastifyCode: string | undefined, statusCode: number | undefined): ErrorCode {
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return 'BAD_REQUEST';
    case undefined:
    default:
      return statusCode !== undefined && statusCode >= 400 && statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR';
  }
}
