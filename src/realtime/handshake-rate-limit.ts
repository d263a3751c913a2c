import { Logger } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../common/errors/app-error';
import { FixedWindowRateLimiter } from '../presence/rate-limiter';

type EngineRequest = IncomingMessage & { _query?: Record<string, string> };

/**
 * Engine.IO middleware (`server.engine.use`) that limits new connections per client address.
 * A request over the limit gets HTTP 429 with Retry-After and the shared error body, and no
 * Engine.IO session is created. Requests of an existing session (`sid`) are not counted.
 * The address is the TCP peer, so behind a proxy every client shares the proxy's limit.
 */
export function handshakeRateLimit(limit: number, windowMs: number) {
  const limiter = new FixedWindowRateLimiter(limit, windowMs, 'socket handshakes per address');
  const logger = new Logger('HandshakeRateLimit');
  let rejected = 0;

  return (req: EngineRequest, res: ServerResponse, next: (error?: Error) => void) => {
    if (req._query?.sid) return next();
    const address = req.socket.remoteAddress ?? 'unknown';
    try {
      limiter.consume(address);
    } catch (error) {
      rejected += 1;
      if (rejected === 1 || rejected % 100 === 0) logger.warn({ address, rejected }, 'Socket handshake rate limit exceeded');
      reject(req, res, error as AppError);
      return;
    }
    next();
  };
}

/** Send 429. A WebSocket upgrade has no real ServerResponse, so the response is written to the raw socket. */
function reject(req: IncomingMessage, res: ServerResponse, error: AppError): void {
  const body = JSON.stringify(error.toBody());
  const retryAfter = Math.ceil((error.retryAfterMs ?? 1000) / 1000);
  if (res instanceof ServerResponse) {
    res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) });
    res.end(body);
    return;
  }
  req.socket.end(
    'HTTP/1.1 429 Too Many Requests\r\n' +
      'Content-Type: application/json\r\n' +
      `Retry-After: ${retryAfter}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
