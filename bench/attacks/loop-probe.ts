/**
 * Preloaded into the server process by bench/attacks/notes-abuse.ts: measures the event
 * loop's delay and, on SIGUSR2, prints one `PROBE {...}` line on stdout (max and p99 of
 * the delay in ms, RSS in MiB) and resets the histogram. With PROBE_MAX_PAGES set, the
 * store's SQLite connection gets `PRAGMA max_page_count` so the file is "full" beyond it:
 * the disk-full attack without filling a real disk.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SqliteStore } from '../../server/store/sqlite-store.js';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => {
  const line = {
    maxMs: histogram.max / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
  histogram.reset();
  process.stdout.write(`PROBE ${JSON.stringify(line)}\n`);
});

const maxPages = process.env.PROBE_MAX_PAGES;
if (maxPages !== undefined) {
  const open = SqliteStore.open.bind(SqliteStore);
  SqliteStore.open = (...args: Parameters<typeof SqliteStore.open>) => {
    const store = open(...args);
    // The bench reaches the private connection on purpose: it stands in for a full disk.
    const db = (store as unknown as { db: { pragma(sql: string, o?: object): unknown } }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + Number(maxPages)}`);
    return store;
  };
}
