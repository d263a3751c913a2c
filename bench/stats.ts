import { IntervalHistogram } from 'node:perf_hooks';

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}

const round = (value: number) => Math.round(value * 100) / 100;

export function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: null, p99: null, p999: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    p999: round(percentile(sorted, 0.999)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Event-loop delay in milliseconds from a perf_hooks histogram, which counts in nanoseconds. */
export function loopDelay(histogram: IntervalHistogram): { p50: number; p99: number; max: number } {
  return {
    p50: round(histogram.percentile(50) / 1e6),
    p99: round(histogram.percentile(99) / 1e6),
    max: round(histogram.max / 1e6),
  };
}
