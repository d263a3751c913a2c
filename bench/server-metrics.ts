/** Read one unlabelled sample, e.g. process_resident_memory_bytes, from Prometheus text exposition. */
export function sampleOf(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

export async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET ${url}/metrics failed with status ${response.status}`);
  return response.text();
}

/** Peak RSS and the worst one-second window of a server's event-loop delay, from its /metrics. */
export interface ServerSamples {
  peakRssBytes: number;
  /** process_cpu_seconds_total from the first scrape to the last. */
  cpuSeconds: number;
  loopDelayP99MaxMs: number;
  loopDelayMaxMs: number;
  /** Mean sends per database call (chat_send_batch_size) over the sampled span; null for the relay. */
  meanSendBatchSize: number | null;
}

/**
 * Scrape /metrics every second until stopped. prom-client resets its event-loop histogram on
 * each scrape, so every sample covers the second before it; the first scrape only resets.
 */
export function startSampler(url: string, intervalMs = 1000): { stop(): Promise<ServerSamples> } {
  const samples: ServerSamples = { peakRssBytes: 0, cpuSeconds: 0, loopDelayP99MaxMs: 0, loopDelayMaxMs: 0, meanSendBatchSize: null };
  let first = true;
  let firstCpuSeconds = 0;
  let firstBatches = { count: 0, sum: 0 };
  let inFlight: Promise<void> = Promise.resolve();

  const take = async () => {
    try {
      const text = await scrape(url);
      samples.peakRssBytes = Math.max(samples.peakRssBytes, sampleOf(text, 'process_resident_memory_bytes') ?? 0);
      const cpuSeconds = sampleOf(text, 'process_cpu_seconds_total') ?? 0;
      if (first) firstCpuSeconds = cpuSeconds;
      samples.cpuSeconds = cpuSeconds - firstCpuSeconds;
      const batches = { count: sampleOf(text, 'chat_send_batch_size_count'), sum: sampleOf(text, 'chat_send_batch_size_sum') };
      if (batches.count !== undefined && batches.sum !== undefined) {
        if (first) firstBatches = { count: batches.count, sum: batches.sum };
        const count = batches.count - firstBatches.count;
        samples.meanSendBatchSize = count > 0 ? Math.round(((batches.sum - firstBatches.sum) / count) * 100) / 100 : null;
      }
      if (!first) {
        samples.loopDelayP99MaxMs = Math.max(samples.loopDelayP99MaxMs, (sampleOf(text, 'nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000);
        samples.loopDelayMaxMs = Math.max(samples.loopDelayMaxMs, (sampleOf(text, 'nodejs_eventloop_lag_max_seconds') ?? 0) * 1000);
      }
      first = false;
    } catch (error) {
      console.warn(`Scraping ${url}/metrics failed: ${(error as Error).message}`);
    }
  };
  inFlight = take();
  const timer = setInterval(() => (inFlight = inFlight.then(take)), intervalMs);

  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await take();
      const round = (value: number) => Math.round(value * 100) / 100;
      return {
        ...samples,
        cpuSeconds: round(samples.cpuSeconds),
        loopDelayP99MaxMs: round(samples.loopDelayP99MaxMs),
        loopDelayMaxMs: round(samples.loopDelayMaxMs),
      };
    },
  };
}

/**
 * Wait until the target uses less than `busyShare` of one core over a 500 ms window, or until
 * `maxMs` passes. Connecting thousands of sockets leaves work behind (presence, room joins),
 * and a schedule started on top of it measures that backlog. Returns the seconds waited.
 */
export async function waitUntilQuiet(url: string, busyShare = 0.2, maxMs = 30_000): Promise<number> {
  const started = performance.now();
  const cpuSeconds = async () => sampleOf(await scrape(url), 'process_cpu_seconds_total') ?? 0;
  let before = await cpuSeconds();
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await cpuSeconds();
    if (now - before < busyShare * 0.5) break;
    before = now;
  }
  return Math.round(performance.now() - started) / 1000;
}
