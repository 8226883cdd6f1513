/**
 * One clock for every process and thread of a benchmark run: CLOCK_MONOTONIC through
 * `process.hrtime`, which is the same clock in the orchestrator, the server under test,
 * the generator and its workers, so a time taken in one can be compared in another.
 */

/** Microseconds on the system's monotonic clock (not wall time; only differences mean anything). */
export function nowUs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}

/** Milliseconds on the same clock as {@link nowUs}. */
export function nowMs(): number {
  return nowUs() / 1e3;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Resolves when the monotonic clock reaches `atMs` (from {@link nowMs}). */
export function sleepUntil(atMs: number): Promise<void> {
  return sleep(atMs - nowMs());
}
