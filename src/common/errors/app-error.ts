import { ERROR_STATUS, ErrorBody, ErrorCode, FieldError } from './error-code';

/**
 * Domain error thrown by services. Filters map it to an HTTP response or a socket ack,
 * so both transports report one failure the same way.
 */
export class AppError extends Error {
  constructor(
    readonly error: ErrorCode,
    message: string,
    readonly details?: FieldError[],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.error];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.status, error: this.error, message: this.message };
    if (this.details) body.details = this.details;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
