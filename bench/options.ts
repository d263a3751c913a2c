import { parseArgs } from 'node:util';

export interface BenchOptions {
  users: number;
  /** Messages per second; typing events come on top. */
  rate: number;
  durationSeconds: number;
  /** Unmeasured seconds of the same traffic before the measured schedule. */
  warmupSeconds: number;
  groupShare: number;
  groupSize: number;
  typingShare: number;
  /** Drive an already running server instead of starting one. */
  url?: string;
  databaseUrl?: string;
  jwtSecret?: string;
  poolSize?: number;
  baseline: boolean;
  outDir: string;
  seed: number;
  drainMs: number;
  ackTimeoutMs: number;
  connectConcurrency: number;
  /** Directory for a V8 CPU profile of the server child (node --cpu-prof). */
  cpuProfDir?: string;
  /** Extra Node.js flags for the server child, such as --max-semi-space-size=64. */
  serverNodeArgs: string[];
}

export const USAGE = `Usage: npm run bench -- [options]

Starts the server from dist/ (or drives --url), seeds accounts in its database, connects one
Socket.IO client per account and sends messages on a fixed open-loop schedule, then does the
same against a bare Socket.IO relay. Prints a table and writes a JSON report.

  --users N               accounts and sockets (default 1000)
  --rate N                messages per second (default 200)
  --duration S            seconds of sending (default 10, at most 600)
  --warmup S              unmeasured seconds of the same traffic first (default 2, 0 for none)
  --group-share F         fraction of messages sent to groups (default 0.3)
  --group-size N          members per group, 2 to 100 (default 10)
  --typing-share F        typing events per message (default 0.1)
  --url URL               drive a running server; needs DATABASE_URL and JWT_SECRET of that server,
                          its message, typing and socket event rate limits raised above the
                          schedule's rates and SOCKET_HANDSHAKE_RATE_LIMIT above --users
  --database-url URL      PostgreSQL for the started server (default: DATABASE_URL; unset: PGlite)
  --jwt-secret S          the running server's JWT_SECRET with --url (default: JWT_SECRET)
  --pool-size N           DATABASE_POOL_SIZE of the started server (default: the server's default)
  --no-baseline           skip the bare relay run
  --out DIR               directory of the JSON report (default bench/results)
  --seed N                seed of the schedule (default 1)
  --drain-ms N            wait after the last send for acks and deliveries (default 5000)
  --ack-timeout-ms N      an ack later than this counts as timed out (default 10000)
  --connect-concurrency N handshakes in flight while connecting (default 10)
  --cpu-prof DIR          write a V8 CPU profile of the started server to DIR
  --server-node-args=S    extra Node.js flags for the started server, separated by spaces,
                          e.g. --server-node-args=--max-semi-space-size=64
  --help                  show this text
`;

function number(raw: string | undefined, fallback: number, name: string, min: number, max: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max} (got ${raw})`);
  }
  return value;
}

/** Parse the command line; throws with the option's name on an invalid value. Returns undefined for --help. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'group-share': { type: 'string' },
      'group-size': { type: 'string' },
      'typing-share': { type: 'string' },
      url: { type: 'string' },
      'database-url': { type: 'string' },
      'jwt-secret': { type: 'string' },
      'pool-size': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'drain-ms': { type: 'string' },
      'ack-timeout-ms': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'server-node-args': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;

  const options: BenchOptions = {
    // NOTE: every client connects from 127.0.0.1, whose ephemeral ports run out near 28,000
    // sockets; going further needs clients spread over several 127.0.0.x source addresses.
    users: Math.floor(number(values.users, 1000, 'users', 2, 25_000)),
    rate: number(values.rate, 200, 'rate', 1, 100_000),
    durationSeconds: number(values.duration, 10, 'duration', 1, 600),
    warmupSeconds: number(values.warmup, 2, 'warmup', 0, 60),
    groupShare: number(values['group-share'], 0.3, 'group-share', 0, 1),
    groupSize: Math.floor(number(values['group-size'], 10, 'group-size', 2, 100)),
    typingShare: number(values['typing-share'], 0.1, 'typing-share', 0, 10),
    url: values.url,
    databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined),
    jwtSecret: values['jwt-secret'] ?? (env.JWT_SECRET || undefined),
    poolSize: values['pool-size'] === undefined ? undefined : number(values['pool-size'], 10, 'pool-size', 1, 1000),
    baseline: !values['no-baseline'],
    outDir: values.out ?? 'bench/results',
    seed: number(values.seed, 1, 'seed', 0, 2 ** 32 - 1),
    drainMs: number(values['drain-ms'], 5000, 'drain-ms', 0, 120_000),
    ackTimeoutMs: number(values['ack-timeout-ms'], 10_000, 'ack-timeout-ms', 100, 120_000),
    // More handshakes in flight did not connect faster, because the server is the bottleneck. They
    // stalled the generator's event loop longer: 2,000 sockets took 5.6–10.7 s with 100 in flight
    // and 6.8 s with 5, with generator loop delay p99 of 14–30 ms against 10 ms.
    connectConcurrency: Math.floor(number(values['connect-concurrency'], 10, 'connect-concurrency', 1, 10_000)),
    cpuProfDir: values['cpu-prof'],
    serverNodeArgs: (values['server-node-args'] ?? '').split(' ').filter((flag) => flag !== ''),
  };
  if (options.url && (!options.databaseUrl || !options.jwtSecret)) {
    throw new Error(
      '--url needs the database URL (DATABASE_URL or --database-url) and the JWT secret (JWT_SECRET or --jwt-secret) of that server',
    );
  }
  return options;
}
