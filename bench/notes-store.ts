/**
 * Note writes on each store: our server (bench/servers/ours-server.ts) pinned to
 * one core, on SQLite or on PostgreSQL, and `--clients` /notes connections that each keep one
 * `note:create` in flight (closed loop) for `--seconds`: creates acked per second and the ack
 * latency from emit to ack (p50, p99). Each client writes into a room of its own, as people on
 * different pages do. Rate limits and note quotas are lifted: this measures the store path.
 *
 *   npm run bench:notes-store                       both stores, 16 clients, 10 s each
 *   npm run bench:notes-store -- --store postgres --clients 32 --seconds 20
 *
 * PostgreSQL: BENCH_DATABASE_URL if set (a database the run may fill), otherwise a throwaway
 * cluster made like the tests' (tests/support/postgres.ts, Debian's postgresql binaries).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { Result } from '../protocol/index.js';
import { createDatabase, startCluster, type PgCluster } from '../tests/support/postgres.js';
import { spawnTs, waitForExit, waitForLine } from './support/child-process.js';
import { newHistogram, summarize, type LatencySummary } from './support/histograms.js';
import type { StatsRequest } from './support/server-stats.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite,postgres' },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
  },
});

interface StoreFigures {
  store: string;
  clients: number;
  creates: number;
  perSecond: number;
  ack: LatencySummary;
  refused: number;
}

async function measure(store: string, databaseUrl: string | null): Promise<StoreFigures> {
  const clients = Number(args.clients);
  const seconds = Number(args.seconds);
  const server = spawnTs(new URL('./servers/ours-server.ts', import.meta.url), {
    cpu: 0,
    env: {
      BENCH_DATABASE_URL: databaseUrl ?? '',
      RATE_LIMIT_SCALE: '100000',
      MAX_NOTES_PER_AUTHOR_PER_DAY: '100000000',
      MAX_NOTES_PER_ROOM: '100000000',
    },
  });
  const url = (await waitForLine(server, /listening on (http:\/\/\S+)/))[1]!;
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < clients; i++) {
      const auth = {
        clientId: randomBytes(12).toString('base64url'),
        secret: randomBytes(16).toString('hex'),
        name: `b${i}`,
        color: '#336699',
      };
      const socket = io(url + '/notes', { transports: ['websocket'], auth, reconnection: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const room = `public|https://example.com/bench-${i}`;
      const subscribed = (await socket
        .timeout(10_000)
        .emitWithAck('notes:subscribe', { room })) as Result<unknown>;
      if (!subscribed.ok) throw new Error(`subscribe: ${subscribed.error.code}`);
      sockets.push(socket);
    }
    const histogram = newHistogram();
    let refused = 0;
    const warmUntil = performance.now() + 1_000;
    const endAt = warmUntil + seconds * 1000;
    let counted = 0;
    await Promise.all(
      sockets.map(async (socket, i) => {
        const room = `public|https://example.com/bench-${i}`;
        for (let n = 0; performance.now() < endAt; n++) {
          const started = performance.now();
          const answer = (await socket.timeout(30_000).emitWithAck('note:create', {
            room,
            opId: `bench-${i}-${n}-${randomBytes(4).toString('hex')}`,
            anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'a few words of the page' }] },
            body: 'a note of about the length people write, give or take a few words',
          })) as Result<unknown>;
          const done = performance.now();
          // The first second warms the server and the store up; it is not measured.
          if (started < warmUntil) continue;
          if (!answer.ok) refused++;
          histogram.recordValue(Math.max(1, Math.round((done - started) * 1000)));
          counted++;
        }
      }),
    );
    const figures = {
      store,
      clients,
      creates: counted,
      perSecond: Math.round(counted / seconds),
      ack: summarize(histogram),
      refused,
    };
    histogram.destroy();
    return figures;
  } finally {
    for (const socket of sockets) socket.close();
    const exit = waitForExit(server);
    // The stats responder's stop: close the app and the store, remove the data directory.
    server.send({ type: 'stop' } satisfies StatsRequest);
    await exit;
  }
}

const stores = args.store.split(',').map((name) => name.trim());
let cluster: PgCluster | null = null;
const results: StoreFigures[] = [];
try {
  for (const store of stores) {
    if (store === 'sqlite') {
      results.push(await measure('sqlite', null));
    } else if (store === 'postgres') {
      let url = process.env.BENCH_DATABASE_URL;
      if (!url) {
        cluster ??= await startCluster();
        url = await createDatabase(cluster.url, 'bench');
      }
      results.push(await measure('postgres', url));
    } else {
      throw new Error(`--store: unknown store "${store}"; expected sqlite, postgres`);
    }
  }
} finally {
  cluster?.destroy();
}

process.stdout.write('| store | clients | creates/s | ack p50 | ack p99 | ack max | refused |\n');
process.stdout.write('| ----- | ------- | --------- | ------- | ------- | ------- | ------- |\n');
for (const r of results) {
  process.stdout.write(
    `| ${r.store} | ${r.clients} | ${r.perSecond} | ${r.ack.p50Ms} ms | ${r.ack.p99Ms} ms | ${r.ack.maxMs} ms | ${r.refused} |\n`,
  );
}
