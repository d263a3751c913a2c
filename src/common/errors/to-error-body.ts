import { HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError } from './app-error';
import { ERROR_STATUS, ErrorBody, ErrorCode } from './error-code';

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Errors from body-parser and the pg driver that say the client or the database is at fault. */
interface TaggedError {
  type?: string;
  status?: number;
  code?: string;
}

const BODY_TOO_LARGE_MESSAGE = 'Request body exceeds the 64 KiB limit';

/**
 * PostgreSQL's invalid byte sequence (NUL among them) and untranslatable character. Validation
 * rejects such text first, and this keeps a field that misses that check at 400 rather than 500.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

const LOST_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
];

// 57014 is query_canceled, which statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) raises.
const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001', '57014']);

/**
 * Map any thrown value to the shared error body. Unknown errors become INTERNAL with a
 * request id and are logged in full; their messages never reach the client.
 */
export function toErrorBody(thrown: unknown, requestId: string, logger: Logger): ErrorBody {
  if (thrown instanceof AppError) return thrown.toBody();

  if (thrown instanceof ThrottlerException) {
    return { code: 429, error: 'RATE_LIMITED', message: 'Too many requests' };
  }

  if (thrown instanceof HttpException) {
    const status = thrown.getStatus();
    // Only body-parser returns 413 on REST; Nest's wrapping would otherwise reduce its message to "request entity too large".
    if (status === 413) return { code: 413, error: 'PAYLOAD_TOO_LARGE', message: BODY_TOO_LARGE_MESSAGE };
    const error = STATUS_TO_CODE[status];
    if (error) return { code: status, error, message: httpExceptionMessage(thrown) };
    // Other client errors, such as 415 for an unsupported Content-Encoding, have no code of their own.
    if (status >= 400 && status < 500) return { code: 400, error: 'VALIDATION_FAILED', message: httpExceptionMessage(thrown) };
  }

  const tagged = (thrown ?? {}) as TaggedError;
  if (tagged.type === 'entity.too.large') {
    return { code: 413, error: 'PAYLOAD_TOO_LARGE', message: BODY_TOO_LARGE_MESSAGE };
  }
  if (tagged.type === 'entity.parse.failed') {
    return { code: 400, error: 'VALIDATION_FAILED', message: 'Request body is not valid JSON' };
  }
  if (tagged.type && tagged.status && tagged.status >= 400 && tagged.status < 500) {
    return { code: 400, error: 'VALIDATION_FAILED', message: 'Request body could not be read' };
  }
  if (tagged.code && UNSTORABLE_TEXT_CODES.has(tagged.code)) {
    logger.warn({ err: thrown, requestId }, 'Text the database cannot store passed validation');
    return { code: 400, error: 'VALIDATION_FAILED', message: 'A text value contains characters that cannot be stored' };
  }
  if ((tagged.code && DATABASE_DOWN_CODES.has(tagged.code)) || isLostConnection(thrown)) {
    logger.error({ err: thrown, requestId }, 'Database unavailable');
    return {
      code: ERROR_STATUS.SERVICE_UNAVAILABLE,
      error: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable or busy. Retry after retryAfterMs.',
      retryAfterMs: 2000,
      requestId,
    };
  }

  logger.error({ err: thrown, requestId }, 'Unhandled error');
  return { code: 500, error: 'INTERNAL', message: 'Internal server error', requestId };
}

/**
 * True for the pg driver's errors about a connection that broke or never opened. They carry
 * no code, only a message (pg 8 and pg-pool 3).
 */
function isLostConnection(thrown: unknown): boolean {
  const message = thrown instanceof Error ? thrown.message : '';
  return LOST_CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}
