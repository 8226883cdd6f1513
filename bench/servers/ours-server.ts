/**
 * Our server as a benchmark subject: createApp from server/ with the SQLite store in a
 * fresh temporary DATA_DIR, on an ephemeral port, plus the same stats responder the
 * baselines install. TICK_HZ and LOG_LEVEL come from the environment like server/main.ts;
 * the directory is removed on stop. Run as a child of bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { announceListening, installStatsResponder } from '../support/server-stats.js';

const dataDir = mkdtempSync(join(tmpdir(), 'copresence-bench-'));
const config = loadConfig({
  ...process.env,
  PORT: process.env.PORT ?? '0',
  DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const store = SqliteStore.open(config.dataDir);
const app = createApp({ store, config });

installStatsResponder(app.httpServer, async () => {
  await app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});
await app.listen();
announceListening('copresence server', app.httpServer);
