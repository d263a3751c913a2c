import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength, validateSync } from 'class-validator';
import { corsOriginProblems } from '../common/http/origin-policy';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Upper bound of the millisecond settings below; Node timers accept at most 2^31 - 1 ms. */
const DAY_MS = 86_400_000;

/** Values that ship in docs and examples and must never sign tokens in production. */
const PLACEHOLDER_SECRETS = ['change-me', 'changeme', 'secret', 'placeholder', 'your-secret'];

/** Environment variables read at boot; .env.example documents each one. */
export class Environment {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 10;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Access token lifetime. The minimum is low so tests can watch a token expire; use minutes in production. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(86400)
  JWT_ACCESS_TTL_SECONDS = 900;

  /** A session whose refresh token is not used for this long expires; each refresh restarts the period. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31_536_000)
  REFRESH_TOKEN_TTL_SECONDS = 2_592_000;

  /**
   * Comma-separated browser origins allowed to call the API and open sockets, e.g.
   * `https://chat.example.com,https://admin.example.com`; `*` allows every origin. Empty: only
   * same-origin pages, plus http://localhost and http://127.0.0.1 on any port outside production.
   */
  @IsString()
  CORS_ORIGINS = '';

  /** Failed logins per account within LOGIN_FAILURE_WINDOW_MS before its logins are refused. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_ACCOUNT_LIMIT = 10;

  /** Failed logins per client address within LOGIN_FAILURE_WINDOW_MS before its logins are refused. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_ADDRESS_LIMIT = 50;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(DAY_MS)
  LOGIN_FAILURE_WINDOW_MS = 900_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  MESSAGE_RATE_LIMIT = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  MESSAGE_RATE_WINDOW_MS = 60_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  HTTP_RATE_LIMIT = 600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT = 20;

  /** How long a user stays online after the last socket closes, so a page reload does not show them offline. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(DAY_MS)
  PRESENCE_GRACE_MS = 5_000;

  /** A socket that sends no event for this long counts as idle; a user whose sockets are all idle is away. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(DAY_MS)
  PRESENCE_IDLE_MS = 300_000;

  /**
   * With REDIS_URL: lifetime of a socket's presence entry in Redis. Each instance renews its
   * sockets' entries every PRESENCE_HEARTBEAT_MS, so an entry outlives its instance by at most this long.
   */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  @Max(DAY_MS)
  PRESENCE_TTL_MS = 15_000;

  /** With REDIS_URL: how often an instance renews its sockets' presence entries and sweeps expired ones. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  PRESENCE_HEARTBEAT_MS = 5_000;

  /**
   * Express "trust proxy" setting for deployments behind a load balancer, so per-address limits
   * see the client's address from X-Forwarded-For: a hop count, "loopback", or addresses and CIDR
   * ranges separated by commas. Empty: trust no proxy.
   */
  @IsString()
  TRUST_PROXY = '';

  /** Prefix of the presence keys in Redis, so several deployments can share one Redis. */
  @IsString()
  REDIS_KEY_PREFIX = 'chat:';

  /** Engine.IO heartbeat. A vanished client is offline after at most interval + timeout + PRESENCE_GRACE_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  SOCKET_PING_INTERVAL_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  SOCKET_PING_TIMEOUT_MS = 5_000;

  /** A typing indicator that is not renewed within this time is cleared and relayed as isTyping: false. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  TYPING_TTL_MS = 5_000;

  /** Typing events per user per window; counted apart from MESSAGE_RATE_LIMIT. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  TYPING_RATE_LIMIT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  TYPING_RATE_WINDOW_MS = 5_000;

  /** Events one socket may send per window; the excess is rejected with RATE_LIMITED before any handler runs. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKET_EVENT_RATE_LIMIT = 50;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  SOCKET_EVENT_RATE_WINDOW_MS = 1_000;

  /** Socket.IO handshakes per client address per window, counted by each instance on its own. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKET_HANDSHAKE_RATE_LIMIT = 30;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  SOCKET_HANDSHAKE_RATE_WINDOW_MS = 10_000;

  /** A connection that has not completed the Socket.IO handshake (authenticated CONNECT) within this time is closed. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  SOCKET_CONNECT_TIMEOUT_MS = 10_000;

  /**
   * How long to wait for a new PostgreSQL connection, and how long a message send may wait in the
   * queue of the next batch, before the request fails with SERVICE_UNAVAILABLE.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  DATABASE_CONNECT_TIMEOUT_MS = 1_500;

  /** Longest a single SQL statement may run (PostgreSQL statement_timeout); the driver gives up 1 s later. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(DAY_MS)
  DATABASE_STATEMENT_TIMEOUT_MS = 10_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

/** Variables whose value may be or contain a credential, so errors name them without the value. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL']);

/**
 * Validate process.env for ConfigModule. Every failure names its variable, and outside
 * development and test a missing or placeholder JWT_SECRET stops the boot.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  const problems = errors.map((error) => {
    const reasons = Object.values(error.constraints ?? {}).join(', ');
    const received = SECRET_VARIABLES.has(error.property) ? 'value not shown' : `got ${JSON.stringify(raw[error.property])}`;
    return `${error.property}: ${reasons} (${received})`;
  });

  problems.push(...corsOriginProblems(env.CORS_ORIGINS));

  if (env.NODE_ENV === 'production') {
    if (!env.JWT_SECRET) {
      problems.push('JWT_SECRET: required when NODE_ENV is production');
    } else if (PLACEHOLDER_SECRETS.some((word) => env.JWT_SECRET!.toLowerCase().includes(word))) {
      problems.push('JWT_SECRET: is a placeholder value; generate one with `openssl rand -base64 48`');
    }
  }

  if (env.PRESENCE_HEARTBEAT_MS >= env.PRESENCE_TTL_MS) {
    problems.push(`PRESENCE_HEARTBEAT_MS: must be less than PRESENCE_TTL_MS (${env.PRESENCE_TTL_MS}), or entries expire between renewals`);
  }

  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return env;
}
