import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import type { Environment } from '../../config/environment';
import { AppError } from '../errors/app-error';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `scheme://host[:port]` of a URL in lower case, or undefined when it is not an http(s) origin without a path. */
function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
  if (value.endsWith('/')) return undefined;
  return url.origin.toLowerCase();
}

/** Error messages for the entries of CORS_ORIGINS that are neither `*` nor an origin; empty when all are valid. */
export function corsOriginProblems(raw: string): string[] {
  return splitOrigins(raw)
    .filter((entry) => entry !== '*' && !normaliseOrigin(entry))
    .map((entry) => `CORS_ORIGINS: "${entry}" is not an origin such as https://chat.example.com (scheme, host and optional port, no path)`);
}

function splitOrigins(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/**
 * Which browser origins may call the API and open sockets. Requests without an Origin header
 * (servers, mobile apps, curl) are not browser requests and always pass. A browser request passes
 * when its origin is listed in CORS_ORIGINS or the list contains `*`. It also passes when it is
 * same-origin, which means the Origin's host equals the Host header. With an empty list outside
 * production, http(s)://localhost, 127.0.0.1 and [::1] on any port pass too.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly allowAny: boolean;
  private readonly allowLoopback: boolean;

  constructor(raw: string, nodeEnv: Environment['NODE_ENV']) {
    const entries = splitOrigins(raw);
    this.allowAny = entries.includes('*');
    this.allowed = new Set(entries.map(normaliseOrigin).filter((origin): origin is string => origin !== undefined));
    this.allowLoopback = entries.length === 0 && nodeEnv !== 'production';
  }

  static fromConfig(config: ConfigService<Environment, true>): OriginPolicy {
    return new OriginPolicy(config.get('CORS_ORIGINS', { infer: true }), config.get('NODE_ENV', { infer: true }));
  }

  isAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined || origin === '') return true;
    if (this.allowAny) return true;

    // Sandboxed frames and file:// pages send the literal origin "null", which no allow-list entry matches.
    const normalised = normaliseOrigin(origin);
    if (!normalised) return false;
    if (this.allowed.has(normalised)) return true;

    const url = new URL(normalised);
    if (host !== undefined && url.host === host.toLowerCase()) return true;
    return this.allowLoopback && LOOPBACK_HOSTS.has(url.hostname);
  }
}

/**
 * Apply the policy to REST: CORS headers only for allowed origins, and 403 FORBIDDEN for any
 * request that carries a foreign Origin, so a page elsewhere cannot even trigger a side effect.
 */
export function applyOriginPolicy(app: INestApplication, policy: OriginPolicy): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    const origin = request.headers.origin;
    if (policy.isAllowed(origin, request.headers.host)) return next();

    const error = new AppError('FORBIDDEN', `Origin ${origin} is not allowed; add it to CORS_ORIGINS to call this API from that page`);
    response.status(error.status).json(error.toBody());
  });
  app.enableCors({ origin: true, maxAge: 600 });
}
