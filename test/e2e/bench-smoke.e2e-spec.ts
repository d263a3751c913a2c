import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HARNESS = join(__dirname, '..', '..', 'dist', 'bench', 'run.js');

/** Fields every phase of the report carries; the docs and the table read them. */
const PHASE_FIELDS = [
  'messages',
  'sendToAck',
  'sendToReceive',
  'timeline',
  'deliveries',
  'typing',
  'throughput',
  'rss',
  'eventLoopDelayMs',
  'cpu',
  'generatorLoopDelayMs',
  'generatorCpuMsPerMessage',
];

// The harness runs from dist/, which `npm test` builds first. It starts its own server on
// TEST_DATABASE_URL when set, else on PGlite.
describe('npm run bench smoke run', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  let report: any;
  let stdout = '';

  beforeAll(async () => {
    const env = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' };
    const args = ['--users', '200', '--rate', '50', '--duration', '3', '--warmup', '1', '--group-size', '5', '--out', outDir];
    ({ stdout } = await run(process.execPath, [HARNESS, ...args], { env, timeout: 150_000 }));
    const [file] = readdirSync(outDir).filter((name) => name.endsWith('.json'));
    report = JSON.parse(readFileSync(join(outDir, file), 'utf8'));
  }, 180_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('labels the database it ran on', () => {
    expect(report.database).toBe(process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite');
    expect(stdout).toContain(`server (${report.database})`);
  });

  it('acknowledges and stores every message', () => {
    expect(report.server.messages.scheduled).toBeGreaterThan(0);
    expect(report.server.messages.acked).toBe(report.server.messages.scheduled);
    expect(report.server.messages.ackTimeouts).toBe(0);
    expect(report.server.messages.unanswered).toBe(0);
    expect(report.server.messages.failed).toEqual({});
    expect(report.server.stored.messages).toBe(report.server.messages.acked);
  });

  it('delivers without loss or duplicates', () => {
    for (const phase of [report.server, report.baseline]) {
      expect(phase.deliveries.expected).toBeGreaterThan(phase.messages.acked);
      expect(phase.deliveries.lost).toBe(0);
      expect(phase.deliveries.duplicated).toBe(0);
      expect(phase.deliveries.misrouted).toBe(0);
    }
  });

  it('reports every field of both phases', () => {
    for (const phase of [report.server, report.baseline]) {
      for (const field of PHASE_FIELDS) expect(phase).toHaveProperty(field);
      for (const key of ['p50', 'p99', 'p999', 'max']) expect(typeof phase.sendToReceive[key]).toBe('number');
      expect(phase.sendToReceive.count).toBe(phase.deliveries.expected);
      expect(phase.rss.connectedBytes).toBeGreaterThan(0);
      expect(typeof phase.generatorLoopDelayMs.p99).toBe('number');
      expect(typeof phase.valid).toBe('boolean');
    }
    expect(report.server.connectedSockets).toBe(200);
    expect(report.server.stored.perSecond).toBeGreaterThan(0);
    expect(report.ratio.throughput).toBeGreaterThan(0);
    expect(report.machine.cpus).toBeGreaterThan(0);
  });
});
