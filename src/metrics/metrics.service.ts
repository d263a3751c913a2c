import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds, from 1 ms to 5 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Recipient sockets per push: a direct message reaches a few devices, a group up to 100 members' devices. */
const FAN_OUT_BUCKETS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/** Buckets for sends stored per database call. The batcher stores at most 500. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 500];

/**
 * Default metrics whose collection walks every open file descriptor or handle on the event
 * loop. With 10,000 sockets they made one scrape block the loop for about 20 ms
 * (docs/benchmarks.md). chat_connected_sockets counts the sockets instead.
 */
export const PER_HANDLE_METRICS = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
];

/**
 * The application's Prometheus metrics in a registry of its own, so several applications in
 * one process (the e2e tests) do not collide in prom-client's global registry.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connectedSockets = new Gauge({
    name: 'chat_connected_sockets',
    help: 'Authenticated Socket.IO connections open on this instance',
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: 'chat_messages_sent_total',
    help: 'Messages stored by this instance, retries that returned a stored message excluded',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly sendLatency = new Histogram({
    name: 'chat_send_latency_seconds',
    help: 'Time from the message:send handler being called to its acknowledgement, failures included',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly deliveryFanOut = new Histogram({
    name: 'chat_delivery_fan_out_sockets',
    help: 'Recipient sockets on this instance per pushed event',
    labelNames: ['event'] as const,
    buckets: FAN_OUT_BUCKETS,
    registers: [this.registry],
  });

  readonly sendsShed = new Counter({
    name: 'chat_sends_shed_total',
    help: 'Socket message:send events rejected with SERVICE_UNAVAILABLE before validation because sends were backlogged',
    registers: [this.registry],
  });

  readonly sendBatchSize = new Histogram({
    name: 'chat_send_batch_size',
    help: 'Sends stored together by one database call (group commit)',
    buckets: BATCH_SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly sendBatchDuration = new Histogram({
    name: 'chat_send_batch_duration_seconds',
    help: 'Time of one database call that stored a batch of sends, commit included',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, RSS, heap, GC and event-loop delay (nodejs_eventloop_lag_*), sampled every 10 ms.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    for (const name of PER_HANDLE_METRICS) this.registry.removeSingleMetric(name);
  }

  /** Render every metric in the Prometheus text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
