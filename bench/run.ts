import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { BenchDatabase, openPglite, openPostgres } from './database';
import { startDatabaseCpu } from './database-cpu';
import { clientMessageIdOf, closeAll, connectAll, LoadTarget, runSchedule } from './load';
import { BenchOptions, parseOptions, USAGE } from './options';
import { buildPopulation, countStoredMessages, groupOf, Population, seedPopulation } from './population';
import { ChildServer, startChild } from './processes';
import { BenchReport, ConnectCost, formatTable, machineInfo, phaseReport, PhaseReport, ratioOf, ServerPhaseReport } from './report';
import { buildSchedule, Schedule } from './schedule';
import { sampleOf, scrape, startSampler, waitUntilQuiet } from './server-metrics';
import { loopDelay } from './stats';
import { signAccessToken } from './tokens';

const SERVER_MAIN = join(__dirname, '..', 'src', 'main.js');
const RELAY_MAIN = join(__dirname, 'baseline', 'relay.js');

/**
 * Rates far above any schedule, so the server's limits never reject benchmark traffic. That
 * includes the handshake limit per client address, because every benchmark socket connects
 * from 127.0.0.1.
 */
const UNLIMITED = '1000000000';

/** The server under test: its URL, its database and the secret that signs its tokens. */
interface ServerUnderTest {
  url: string;
  database: BenchDatabase['kind'];
  secret: string;
  /** Run `work` with the database open. PGlite opens only while the server is stopped, which then restarts unless `restart` is false. */
  withDatabase<T>(work: (db: BenchDatabase) => Promise<T>, restart?: boolean): Promise<T>;
  stop(): Promise<void>;
  /** The end of the started server's stdout and stderr; empty for a running server. */
  output(): string;
}

async function startServerUnderTest(options: BenchOptions): Promise<ServerUnderTest> {
  if (options.url) {
    return {
      url: options.url.replace(/\/$/, ''),
      database: 'postgresql',
      secret: options.jwtSecret!,
      withDatabase: (work) => withPostgres(options.databaseUrl!, work),
      stop: async () => undefined,
      output: () => '',
    };
  }

  const secret = randomBytes(48).toString('base64');
  const dataDir = options.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'chat-bench-'));
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_SECRET: secret,
    JWT_ACCESS_TTL_SECONDS: '86400',
    MESSAGE_RATE_LIMIT: UNLIMITED,
    TYPING_RATE_LIMIT: UNLIMITED,
    HTTP_RATE_LIMIT: UNLIMITED,
    SOCKET_EVENT_RATE_LIMIT: UNLIMITED,
    SOCKET_HANDSHAKE_RATE_LIMIT: UNLIMITED,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATA_DIR: dataDir! }),
    ...(options.poolSize ? { DATABASE_POOL_SIZE: String(options.poolSize) } : {}),
  };
  const profileArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : [];
  const nodeArgs = [...options.serverNodeArgs, ...profileArgs];
  let child: ChildServer | undefined = await startChild(SERVER_MAIN, env, nodeArgs);
  let lastOutput = '';

  const server: ServerUnderTest = {
    url: child.url,
    database: options.databaseUrl ? 'postgresql' : 'pglite',
    secret,
    async withDatabase(work, restart = true) {
      if (options.databaseUrl) return withPostgres(options.databaseUrl, work);
      // PGlite admits one process: stop the server (its migrations have run), work, then start it again.
      lastOutput = child?.output() ?? lastOutput;
      await child?.stop();
      child = undefined;
      const db = await openPglite(join(dataDir!, 'pglite'));
      try {
        return await work(db);
      } finally {
        await db.close();
        if (restart) {
          child = await startChild(SERVER_MAIN, env, nodeArgs);
          server.url = child.url;
        }
      }
    },
    output: () => lastOutput + (child?.output() ?? ''),
    async stop() {
      lastOutput = child?.output() ?? lastOutput;
      await child?.stop();
      child = undefined;
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

async function withPostgres<T>(url: string, work: (db: BenchDatabase) => Promise<T>): Promise<T> {
  const db = await openPostgres(url);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

interface Schedules {
  warmup: Schedule;
  measured: Schedule;
}

/** Connect every user, measure RSS and CPU before and after, play the schedule while sampling /metrics. */
async function drive(
  target: LoadTarget,
  population: Population,
  schedules: Schedules,
  options: BenchOptions,
  databaseUrl?: string,
): Promise<PhaseReport> {
  const users = population.userIds.length;
  const idle = await scrape(target.url);
  const connectDatabaseCpu = databaseUrl ? await startDatabaseCpu(databaseUrl) : undefined;
  const connectLoop = monitorEventLoopDelay({ resolution: 2 });
  connectLoop.enable();
  const connectStart = performance.now();
  const progress = (connected: number) =>
    log(`${connected} of ${users} sockets connected after ${Math.round((performance.now() - connectStart) / 1000)} s`);
  const { sockets, retries: connectRetries } = await connectAll(target, users, options.connectConcurrency, progress);
  const connectSeconds = Math.round(performance.now() - connectStart) / 1000;
  connectLoop.disable();
  try {
    let settleSeconds = await waitUntilQuiet(target.url);
    const afterConnect = await scrape(target.url);
    const connectDatabaseCpuSeconds = (await connectDatabaseCpu?.stop()) ?? null;
    const rss = {
      idle: sampleOf(idle, 'process_resident_memory_bytes') ?? 0,
      connected: sampleOf(afterConnect, 'process_resident_memory_bytes') ?? 0,
    };
    const connectCost: ConnectCost = {
      targetCpuMsPerSocket: perSocketMs(
        (sampleOf(afterConnect, 'process_cpu_seconds_total') ?? 0) - (sampleOf(idle, 'process_cpu_seconds_total') ?? 0),
        users,
      ),
      databaseCpuMsPerSocket: connectDatabaseCpuSeconds === null ? null : perSocketMs(connectDatabaseCpuSeconds, users),
      generatorLoopDelayMs: loopDelay(connectLoop),
    };
    const connectedSockets = sampleOf(afterConnect, 'chat_connected_sockets') ?? null;
    if (schedules.warmup.at.length > 0) {
      // Unmeasured traffic first, so lazy initialisation and JIT compilation do not land in the results.
      await runSchedule(sockets, population, schedules.warmup, options, 'w');
      settleSeconds = Math.round((settleSeconds + (await waitUntilQuiet(target.url))) * 1000) / 1000;
    }
    const databaseCpu = databaseUrl ? await startDatabaseCpu(databaseUrl) : undefined;
    const sampler = startSampler(target.url);
    const load = await runSchedule(sockets, population, schedules.measured, options, 'm');
    const samples = await sampler.stop();
    const databaseCpuSeconds = (await databaseCpu?.stop()) ?? null;
    return {
      ...phaseReport({ ...load, connectSeconds, connectRetries, settleSeconds }, rss, samples, users, databaseCpuSeconds),
      connectCost,
      connectedSockets,
    };
  } finally {
    closeAll(sockets);
  }
}

/** CPU milliseconds per socket, from seconds over all sockets, rounded to microseconds. */
const perSocketMs = (seconds: number, sockets: number) => Math.round((seconds * 1e6) / sockets) / 1000;

async function runServerPhase(server: ServerUnderTest, population: Population, schedules: Schedules, options: BenchOptions) {
  const target: LoadTarget = {
    url: server.url,
    auth: (user) => ({ token: signAccessToken(population.userIds[user], population.sessionIds[user], server.secret) }),
  };
  const phase = await drive(target, population, schedules, options, options.databaseUrl);
  const stored = await server.withDatabase((db) => countStoredMessages(db, population, clientMessageIdOf(population, 'm', '')), false);
  const report: ServerPhaseReport = {
    ...phase,
    stored: {
      messages: stored,
      perSecond: Math.round(stored / Math.max(phase.windowSeconds, 0.001)),
      ackedButMissing: Math.max(0, phase.messages.acked - stored),
    },
  };
  return report;
}

/** Describe the relay target. The relay has no database, so each client names its rooms in the handshake: its group and its direct conversations. */
function relayTarget(url: string, population: Population): LoadTarget {
  const rooms: string[][] = population.userIds.map(() => []);
  for (const pair of population.directPairs) {
    rooms[pair.a].push(`conversation:${pair.conversationId}`);
    if (pair.b !== pair.a) rooms[pair.b].push(`conversation:${pair.conversationId}`);
  }
  population.userIds.forEach((_, user) => {
    const group = groupOf(population, user);
    if (group !== undefined) rooms[user].push(`conversation:${population.groupIds[group]}`);
  });
  return { url, auth: (user) => ({ userId: population.userIds[user], rooms: rooms[user] }) };
}

async function runBaselinePhase(population: Population, schedules: Schedules, options: BenchOptions): Promise<PhaseReport> {
  const relay = await startChild(RELAY_MAIN, {});
  try {
    return await drive(relayTarget(relay.url, population), population, schedules, options);
  } finally {
    await relay.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }
  const startedAt = new Date().toISOString();
  const population = buildPopulation(options.users, options.groupSize);
  const schedules: Schedules = {
    warmup: buildSchedule(population, { ...options, durationSeconds: options.warmupSeconds, seed: options.seed + 1 }),
    measured: buildSchedule(population, options),
  };
  const notes: string[] = [];

  log(`Starting the server (${options.url ? `running at ${options.url}` : options.databaseUrl ? 'PostgreSQL' : 'PGlite'})`);
  const server = await startServerUnderTest(options);
  let serverPhase: ServerPhaseReport;
  try {
    log(`Seeding ${options.users} accounts, ${population.groupIds.length} groups and their direct conversations`);
    await server.withDatabase((db) => seedPopulation(db, population));
    log(`Sending ${schedules.measured.messages} messages at ${options.rate}/s for ${options.durationSeconds} s to the server`);
    serverPhase = await runServerPhase(server, population, schedules, options);
  } finally {
    await server.stop();
  }
  const failures = Object.values(serverPhase.messages.failed).reduce((sum, count) => sum + count, 0);
  if (failures > 0) log(`${failures} sends failed; the end of the server's log:\n${server.output().split('\n').slice(-40).join('\n')}`);
  if (server.database === 'pglite')
    notes.push('PGlite: the embedded single-session database, not PostgreSQL; stored msg/s is not comparable.');
  if (serverPhase.connectedSockets !== null && serverPhase.connectedSockets !== options.users) {
    notes.push(`chat_connected_sockets read ${serverPhase.connectedSockets} after connecting ${options.users} sockets.`);
  }

  let baseline: PhaseReport | null = null;
  if (options.baseline) {
    log('Sending the same schedule to the bare relay');
    baseline = await runBaselinePhase(population, schedules, options);
  }

  const { databaseUrl: _databaseUrl, jwtSecret: _jwtSecret, ...shownOptions } = options;
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    database: server.database,
    target: options.url ? 'running-server' : 'child-process',
    options: shownOptions,
    server: serverPhase,
    baseline,
    ratio: ratioOf(serverPhase, baseline),
    valid: serverPhase.valid && (baseline?.valid ?? true),
    notes,
  };
  if (!report.valid) notes.push(`INVALID: the generator's own event-loop delay exceeded 5 ms at p99, so latencies include its stalls.`);

  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, `${startedAt.replace(/[:.]/g, '-')}-${report.database}-u${options.users}-r${options.rate}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(report)}\n\nReport: ${file}\n`);
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
