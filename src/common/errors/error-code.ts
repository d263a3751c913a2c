/** Stable error names shared by REST responses and socket acks, each with its HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GROUP_FULL: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  constraints: string[];
}

/** The one error shape of every REST error body and every failed socket ack. */
export interface ErrorBody {
  code: number;
  error: ErrorCode;
  message: string;
  details?: FieldError[];
  retryAfterMs?: number;
  requestId?: string;
}
