/**
 * Our server as a benchmark subject: createApp from server/ with the SQLite store in a
 * fresh temporary DATA_DIR (or PostgreSQL at BENCH_DATABASE_URL), on an ephemeral port, plus the same stats responder the
 * baselines install. TICK_HZ and LOG_LEVEL come from the environment like server/main.ts;
 * the per-address connection limit is raised (all simulated users share 127.0.0.1), every
 * other limit stays at its production value. The directory is removed on stop. Run as a child of bench/run.ts.
 *
 * Instrumentation only, no behaviour change: it counts the volatile packets Socket.IO
 * discards because a connection's previous write has not completed yet (the check in
 * socket.io's Client#writeToEngine), so the report can tell those losses apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openStore } from '../../server/store/open-store.js';
import { announceListening, installStatsResponder } from '../support/server-stats.js';

const dataDir = mkdtempSync(join(tmpdir(), 'copresence-bench-'));
const config = loadConfig({
  ...process.env,
  PORT: process.env.PORT ?? '0',
  DATA_DIR: dataDir,
  // Explicit, so a DATABASE_URL in the shell never moves a cursor benchmark to PostgreSQL.
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  // Every simulated user connects from 127.0.0.1; the per-address limit is for the internet.
  MAX_CONNECTIONS_PER_IP: process.env.MAX_CONNECTIONS_PER_IP ?? '1000000',
});
const { store } = await openStore(config);
const app = createApp({ store, config });

/** The part of socket.io's (internal) Client this wrapper looks at. */
interface EngineClient {
  conn: { transport: { writable: boolean } };
  writeToEngine(packets: unknown, opts: { volatile?: boolean }): void;
}

let volatileDropped = 0;
const counted = new WeakSet<object>();
app.io.of('/rooms').on('connection', (socket) => {
  const client = socket.client as unknown as EngineClient;
  if (counted.has(client)) return;
  counted.add(client);
  const write = client.writeToEngine.bind(client);
  client.writeToEngine = (packets, opts) => {
    if (opts.volatile && !client.conn.transport.writable) volatileDropped += 1;
    write(packets, opts);
  };
});

installStatsResponder(
  app.httpServer,
  async () => {
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
  () => ({ volatileDropped }),
);
await app.listen();
announceListening('copresence server', app.httpServer);
