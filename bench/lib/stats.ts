/**
 * Percentiles of bench timings. Sequential paths arrive as batch durations (workerd's clock
 * has 1 ms resolution, see bench/workers/harness/index.ts); their per-call latency is the
 * batch duration divided by the batch size.
 */

/** Raw timings of a sequential run, as the harness returns them. */
export interface BatchTimings {
  calls: number
  batch: number
  batchMs: number[]
  elapsedMs: number
}

/** Per-call latency percentiles, in microseconds. */
export interface LatencySummary {
  calls: number
  p50: number
  p99: number
  mean: number
}

/** Nearest-rank percentile (`p` in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

/** Per-call latency of sequential runs (merged): batch duration / batch size, in microseconds. */
export function summarizeBatches(runs: readonly BatchTimings[]): LatencySummary {
  const perCallUs = runs.flatMap((run) => run.batchMs.map((ms) => (ms * 1000) / run.batch))
  const calls = runs.reduce((sum, run) => sum + run.calls, 0)
  const totalMs = runs.reduce((sum, run) => sum + run.batchMs.reduce((a, b) => a + b, 0), 0)
  return { calls, p50: percentile(perCallUs, 50), p99: percentile(perCallUs, 99), mean: (totalMs * 1000) / calls }
}

/** Percentiles of individually timed calls (ms values), in microseconds. */
export function summarizeSamples(latencyMs: readonly number[]): LatencySummary {
  const mean = latencyMs.reduce((a, b) => a + b, 0) / latencyMs.length
  return { calls: latencyMs.length, p50: percentile(latencyMs, 50) * 1000, p99: percentile(latencyMs, 99) * 1000, mean: mean * 1000 }
}
