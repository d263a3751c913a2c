import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS } from '../errors/error-code';

class FieldErrorView {
  @ApiProperty({ example: 'content' })
  field: string;

  @ApiProperty({ type: [String], example: ['content must be 1 to 1000 characters'] })
  constraints: string[];
}

/** The error body of every REST error response. */
export class ErrorView {
  @ApiProperty({ description: 'HTTP status', example: 400 })
  code: number;

  @ApiProperty({ enum: Object.keys(ERROR_STATUS), example: 'VALIDATION_FAILED' })
  error: string;

  @ApiProperty({ example: 'content must be 1 to 1000 characters' })
  message: string;

  @ApiPropertyOptional({ type: [FieldErrorView] })
  details?: FieldErrorView[];

  @ApiPropertyOptional({ description: 'With RATE_LIMITED and SERVICE_UNAVAILABLE: milliseconds to wait before retrying' })
  retryAfterMs?: number;

  @ApiPropertyOptional({ description: 'With INTERNAL: the id to quote when reporting the failure' })
  requestId?: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: the request is malformed; details lists each invalid field',
  401: 'UNAUTHORIZED: missing, invalid or expired credentials',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND: no such resource, or the caller is not a member',
  409: 'CONFLICT (or GROUP_FULL for a full group)',
  413: 'PAYLOAD_TOO_LARGE: the body exceeds 64 KiB',
  429: 'RATE_LIMITED: retry after retryAfterMs; the Retry-After header gives seconds',
};

/**
 * Document the listed error responses, all with the shared error body. 500 and 503 are always
 * listed, and so is 429 because the request limit (per user, or per address when anonymous)
 * covers every REST route.
 */
export function ApiErrors(...statuses: number[]) {
  const all = [...new Set([...statuses, 429, 500, 503])];
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        type: ErrorView,
        description:
          DESCRIPTIONS[status] ??
          (status === 503
            ? 'SERVICE_UNAVAILABLE: the database is unreachable or busy, or the server is overloaded. Nothing was stored. Retry after retryAfterMs'
            : 'INTERNAL: unexpected failure, logged with requestId'),
      }),
    ),
  );
}
