import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { LoadResult } from './load';
import { BenchOptions } from './options';
import { ServerSamples } from './server-metrics';

/** A generator whose own event loop lags more than this at p99 measured itself, not the server. */
export const GENERATOR_P99_LIMIT_MS = 5;

/** Cost of connecting, from before the first handshake until the target's CPU use settled afterwards. */
export interface ConnectCost {
  /** Target CPU per socket: handshake, authentication, room joins and presence announcements. */
  targetCpuMsPerSocket: number;
  /** CPU of the database backends per socket; null without PostgreSQL on this machine. */
  databaseCpuMsPerSocket: number | null;
  /** The generator's own event-loop delay while connecting; not part of the validity check. */
  generatorLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface PhaseReport extends LoadResult {
  rss: { idleBytes: number; connectedBytes: number; peakBytes: number; perSocketBytes: number };
  /** Worst one-second window of the target's own event-loop delay, from its /metrics. */
  eventLoopDelayMs: { p99: number; max: number };
  /**
   * CPU time during the measured schedule, typing events included, per acknowledged message.
   * It varies less with other load on the machine than latency does. The database's share is
   * null unless PostgreSQL runs on this machine.
   */
  cpu: { targetSeconds: number; targetMsPerMessage: number; databaseSeconds: number | null; databaseMsPerMessage: number | null };
  /** Mean sends stored per database call; null for the relay. */
  meanSendBatchSize: number | null;
  valid: boolean;
  connectCost?: ConnectCost;
  /** The target's chat_connected_sockets after connecting; null for the relay, which has no such metric. */
  connectedSockets?: number | null;
}

export interface ServerPhaseReport extends PhaseReport {
  stored: { messages: number; perSecond: number; ackedButMissing: number };
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; loadAverage: number[]; node: string };
  database: 'postgresql' | 'pglite';
  target: 'child-process' | 'running-server';
  options: Omit<BenchOptions, 'databaseUrl' | 'jwtSecret'>;
  server: ServerPhaseReport;
  baseline: PhaseReport | null;
  /** Server divided by baseline. */
  ratio: { throughput: number; sendToReceiveP99: number | null } | null;
  valid: boolean;
  notes: string[];
}

export function machineInfo(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
  };
}

export function phaseReport(
  load: LoadResult,
  rss: { idle: number; connected: number },
  samples: ServerSamples,
  users: number,
  databaseCpuSeconds: number | null,
): PhaseReport {
  const perMessage = (seconds: number) => Math.round((seconds * 1e6) / Math.max(load.messages.acked, 1)) / 1000;
  return {
    ...load,
    rss: {
      idleBytes: rss.idle,
      connectedBytes: rss.connected,
      peakBytes: Math.max(samples.peakRssBytes, rss.connected),
      perSocketBytes: Math.round((rss.connected - rss.idle) / users),
    },
    eventLoopDelayMs: { p99: samples.loopDelayP99MaxMs, max: samples.loopDelayMaxMs },
    cpu: {
      targetSeconds: samples.cpuSeconds,
      targetMsPerMessage: perMessage(samples.cpuSeconds),
      databaseSeconds: databaseCpuSeconds,
      databaseMsPerMessage: databaseCpuSeconds === null ? null : perMessage(databaseCpuSeconds),
    },
    meanSendBatchSize: samples.meanSendBatchSize,
    valid: load.generatorLoopDelayMs.p99 <= GENERATOR_P99_LIMIT_MS,
  };
}

export function ratioOf(server: PhaseReport, baseline: PhaseReport | null): BenchReport['ratio'] {
  if (!baseline) return null;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const p99 =
    server.sendToReceive.p99 !== null && baseline.sendToReceive.p99 ? round(server.sendToReceive.p99 / baseline.sendToReceive.p99) : null;
  return { throughput: baseline.throughput === 0 ? 0 : round(server.throughput / baseline.throughput), sendToReceiveP99: p99 };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

/** Format the report as an aligned two- or three-column table. */
export function formatTable(report: BenchReport): string {
  const { server, baseline } = report;
  const row = (label: string, of: (phase: PhaseReport) => string, serverOnly?: string) =>
    [label, of(server), baseline ? (serverOnly ?? of(baseline)) : undefined].filter((cell) => cell !== undefined) as string[];

  const rows: string[][] = [
    ['', `server (${report.database})`, ...(baseline ? ['bare relay'] : [])],
    row('messages scheduled / acked', (p) => `${p.messages.scheduled} / ${p.messages.acked}`),
    row(
      'failed acks / timeouts / unanswered',
      (p) => `${Object.values(p.messages.failed).reduce((a, b) => a + b, 0)} / ${p.messages.ackTimeouts} / ${p.messages.unanswered}`,
    ),
    row('throughput (acked msg/s)', (p) => String(p.throughput)),
    row('stored msg/s', () => String(server.stored.perSecond), '-'),
    row('send→receive p50 / p99', (p) => `${ms(p.sendToReceive.p50)} / ${ms(p.sendToReceive.p99)}`),
    row('send→receive p99.9 / max', (p) => `${ms(p.sendToReceive.p999)} / ${ms(p.sendToReceive.max)}`),
    row('send→ack p50 / p99', (p) => `${ms(p.sendToAck.p50)} / ${ms(p.sendToAck.p99)}`),
    row('deliveries expected', (p) => String(p.deliveries.expected)),
    row('lost / duplicated / misrouted', (p) => `${p.deliveries.lost} / ${p.deliveries.duplicated} / ${p.deliveries.misrouted}`),
    row('typing sent / relayed', (p) => `${p.typing.acked} / ${p.typing.received}`),
    row('connect / settle time', (p) => `${p.connectSeconds} s / ${p.settleSeconds} s`),
    row('rejected handshakes retried', (p) => String(p.connectRetries)),
    row(
      'target / database CPU per socket',
      (p) => `${ms(p.connectCost?.targetCpuMsPerSocket ?? null)} / ${ms(p.connectCost?.databaseCpuMsPerSocket ?? null)}`,
    ),
    row('generator loop delay p99 connecting', (p) => ms(p.connectCost?.generatorLoopDelayMs.p99 ?? null)),
    row('RSS idle / connected / peak', (p) => `${mib(p.rss.idleBytes)} / ${mib(p.rss.connectedBytes)} / ${mib(p.rss.peakBytes)}`),
    row('RSS per socket', (p) => kib(p.rss.perSocketBytes)),
    row('target CPU per message', (p) => `${p.cpu.targetMsPerMessage} ms`),
    row('database CPU per message', (p) => (p.cpu.databaseMsPerMessage === null ? '-' : `${p.cpu.databaseMsPerMessage} ms`)),
    row('sends per database call', (p) => (p.meanSendBatchSize === null ? '-' : String(p.meanSendBatchSize))),
    row('generator CPU per message', (p) => `${p.generatorCpuMsPerMessage} ms`),
    row('target loop delay p99 / max', (p) => `${ms(p.eventLoopDelayMs.p99)} / ${ms(p.eventLoopDelayMs.max)}`),
    row('generator loop delay p99', (p) => `${ms(p.generatorLoopDelayMs.p99)}${p.valid ? '' : ' (INVALID)'}`),
  ];
  if (report.ratio) {
    rows.push(['server / relay throughput', String(report.ratio.throughput)]);
    rows.push(['server / relay p99 latency', String(report.ratio.sendToReceiveP99 ?? '-')]);
  }

  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  const lines = rows.map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return [...lines, '', ...report.notes.map((note) => `Note: ${note}`)].join('\n');
}
