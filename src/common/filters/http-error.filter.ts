import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { toErrorBody } from '../errors/to-error-body';

/** Render every REST error in the shared error shape, with Retry-After where the body has retryAfterMs. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request & { id?: string }>();
    const response = context.getResponse<Response>();
    const requestId = String(request.id ?? randomUUID());

    const body = toErrorBody(exception, requestId, this.logger);
    if (body.retryAfterMs !== undefined) response.setHeader('Retry-After', Math.ceil(body.retryAfterMs / 1000));
    if (response.headersSent) return;
    response.status(body.code).json(body);
  }
}
