import type { Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';

/** Paths pino replaces with "[Redacted]" so tokens and passwords never reach the log. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.token',
  'req.body.password',
  'res.headers["set-cookie"]',
  'accessToken',
  'refreshToken',
  'req.body.refreshToken',
  'password',
];

/** Structured JSON logs with a request id per request; `?token=` is stripped from logged URLs. */
export function loggerOptions(level: string): Params {
  return {
    pinoHttp: {
      level,
      redact: REDACTED,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.replace(/([?&]token=)[^&]*/g, '$1[Redacted]'),
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/health/live' },
    },
  };
}
