/**
 * Re-runs the attacks on notes (an import as fast as one socket may, a huge room, a client
 * that never reads, a full store) against a real server process with real
 * socket.io-client connections, and prints the figures docs/SECURITY.md quotes:
 *
 *   npx tsx bench/attacks/notes-abuse.ts import     one socket imports for 10 s: notes/s, /healthz latency
 *   npx tsx bench/attacks/notes-abuse.ts subscribe  a 20k-note room: largest message, time, loop block
 *   npx tsx bench/attacks/notes-abuse.ts stalled    10 subscribes/s from a client that never reads: RSS
 *   npx tsx bench/attacks/notes-abuse.ts full       600 creates against a full store: acks by code, /healthz
 *
 * The server runs as `node --import tsx --import bench/attacks/loop-probe.ts server/main.ts`.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { SqliteStore, DB_FILE } from '../../server/store/sqlite-store.js';

const ROOM = 'public|https://example.com/article';

/** One JSON line per attack on stdout. */
const report = (figures: object) => process.stdout.write(JSON.stringify(figures) + '\n');
const auth = () => ({
  clientId: randomBytes(12).toString('base64url'),
  secret: randomBytes(24).toString('base64url'),
  name: 'Mallory',
  color: '#aa0000',
});

interface Probe {
  maxMs: number;
  p99Ms: number;
  rssMiB: number;
}

class ServerProcess {
  private probes: Array<(p: Probe) => void> = [];
  private constructor(
    private readonly child: ChildProcessByStdio<null, Readable, Readable>,
    readonly url: string,
  ) {}

  static async start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './bench/attacks/loop-probe.ts', 'server/main.ts'],
      {
        env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    let out = '';
    let server: ServerProcess | null = null;
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (;;) {
          const nl = out.indexOf('\n');
          if (nl < 0) break;
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          const listening = /listening on (\S+)/.exec(line);
          if (listening) resolve(listening[1]!);
          if (line.startsWith('PROBE ') && server) {
            const probe = JSON.parse(line.slice(6)) as Probe;
            for (const r of server.probes.splice(0)) r(probe);
          }
        }
      });
    });
    server = new ServerProcess(child, url);
    return server;
  }

  probe(): Promise<Probe> {
    return new Promise((resolve) => {
      this.probes.push(resolve);
      this.child.kill('SIGUSR2');
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function connect(url: string): Promise<Socket> {
  const socket = io(url + '/notes', {
    auth: auth(),
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

type Ack = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
const ask = (s: Socket, event: string, payload: unknown) =>
  s.timeout(60_000).emitWithAck(event, payload) as Promise<Ack>;

function seed(dataDir: string, count: number, bodyChars: number): void {
  (SqliteStore.open(dataDir) as SqliteStore).close();
  const db = new Database(join(dataDir, DB_FILE));
  const insert = db.prepare(
    `INSERT INTO notes (id, room, op_id, anchor, body, color, parent_id, author_id, author_name,
       author_color, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, '#ffd400', NULL, 'peerpeerpeerpeer', 'Seeder', '#112233', 1, ?, ?)`,
  );
  const anchor = JSON.stringify({
    selectors: [
      { type: 'TextQuoteSelector', exact: 'q'.repeat(80), prefix: 'p'.repeat(32), suffix: 's'.repeat(32) },
      { type: 'TextPositionSelector', start: 100, end: 180 },
      {
        type: 'CssSelector',
        value: 'main > p:nth-of-type(3)',
        refinedBy: { type: 'TextPositionSelector', start: 5, end: 85 },
      },
    ],
  });
  const body = 'b'.repeat(bodyChars);
  db.transaction(() => {
    const t0 = Date.now() - count * 1000;
    for (let i = 0; i < count; i++) {
      const at = new Date(t0 + i * 1000).toISOString();
      insert.run(randomUUID(), ROOM, 'seed' + i, anchor, body, at, at);
    }
  })();
  db.close();
}

async function healthLatency(
  url: string,
  stop: () => boolean,
): Promise<{ maxMs: number; codes: Record<number, number> }> {
  let maxMs = 0;
  const codes: Record<number, number> = {};
  while (!stop()) {
    const t = performance.now();
    const res = await fetch(url + '/healthz');
    await res.text();
    maxMs = Math.max(maxMs, performance.now() - t);
    codes[res.status] = (codes[res.status] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { maxMs, codes };
}

async function subscribe(socket: Socket): Promise<void> {
  const ack = await ask(socket, 'notes:subscribe', { room: ROOM });
  if (!ack.ok) throw new Error(ack.error.code);
}

async function attackImport(dataDir: string): Promise<void> {
  const server = await ServerProcess.start(dataDir);
  const socket = await connect(server.url);
  await subscribe(socket);
  await server.probe();
  let done = false;
  const health = healthLatency(server.url, () => done);
  const started = performance.now();
  let created = 0;
  let calls = 0;
  const codes: Record<string, number> = {};
  while (performance.now() - started < 10_000) {
    const prefix = randomBytes(6).toString('base64url');
    const items = Array.from({ length: 500 }, (_, i) => ({
      id: `${prefix}${i}`,
      type: 'Annotation',
      body: 'x',
      target: { source: 'p' },
    }));
    const ack = await ask(socket, 'notes:import', { room: ROOM, collection: { items } });
    calls++;
    const code = ack.ok ? 'ok' : ack.error.code;
    codes[code] = (codes[code] ?? 0) + 1;
    if (ack.ok) created += (ack.value as { created: number }).created;
    const retry = ack.ok ? (ack.value as { retryAfterMs?: number }).retryAfterMs : undefined;
    if (retry) await new Promise((r) => setTimeout(r, retry));
    else if (!ack.ok && ack.error.code === 'rate_limited') await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  done = true;
  const h = await health;
  const probe = await server.probe();
  report({
    attack: 'import',
    seconds: +seconds.toFixed(1),
    calls,
    acks: codes,
    created,
    notesPerSecond: +(created / seconds).toFixed(1),
    healthzMaxMs: +h.maxMs.toFixed(1),
    healthzCodes: h.codes,
    loopMaxMs: probe.maxMs,
  });
  socket.close();
  await server.stop();
}

async function attackSubscribe(dataDir: string): Promise<void> {
  seed(dataDir, 20_000, 600);
  const server = await ServerProcess.start(dataDir);
  const socket = await connect(server.url);
  await server.probe();
  const started = performance.now();
  let largest = 0;
  let total = 0;
  let messages = 0;
  let notes = 0;
  const first = await ask(socket, 'notes:subscribe', { room: ROOM });
  if (!first.ok) throw new Error(first.error.code);
  let page = first.value as unknown;
  for (;;) {
    const bytes = Buffer.byteLength(JSON.stringify(page));
    largest = Math.max(largest, bytes);
    total += bytes;
    messages++;
    if (Array.isArray(page)) {
      notes += page.length;
      break;
    }
    const p = page as { notes: unknown[]; next: string | null };
    notes += p.notes.length;
    if (p.next === null) break;
    let ack = await ask(socket, 'notes:page', { room: ROOM, after: p.next });
    while (!ack.ok && ack.error.code === 'rate_limited') {
      await new Promise((r) => setTimeout(r, 100));
      ack = await ask(socket, 'notes:page', { room: ROOM, after: p.next });
    }
    if (!ack.ok) throw new Error(ack.error.code);
    page = ack.value;
  }
  const ms = performance.now() - started;
  const probe = await server.probe();
  report({
    attack: 'subscribe 20k notes',
    notes,
    messages,
    largestMessageMiB: +(largest / 2 ** 20).toFixed(3),
    totalMiB: +(total / 2 ** 20).toFixed(2),
    ms: Math.round(ms),
    serverLoopMaxMs: probe.maxMs,
    serverLoopP99Ms: probe.p99Ms,
  });
  socket.close();
  await server.stop();
}

/** A raw Engine.IO/Socket.IO client that subscribes 10 times a second and never reads. */
async function attackStalled(dataDir: string): Promise<void> {
  seed(dataDir, 20_000, 600);
  const server = await ServerProcess.start(dataDir);
  const before = await server.probe();
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/socket.io/?EIO=4&transport=websocket');
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send('40/notes,' + JSON.stringify(auth()));
      if (text.startsWith('40/notes,')) resolve();
    });
    ws.once('error', reject);
  });
  // Stop reading: the server's writes pile up in its buffers.
  ws.pause();
  const codes = { sent: 0 };
  const started = performance.now();
  let peak = before.rssMiB;
  while (performance.now() - started < 10_000) {
    ws.send(`42/notes,${codes.sent}` + JSON.stringify(['notes:subscribe', { room: ROOM }]));
    codes.sent++;
    await new Promise((r) => setTimeout(r, 100));
    if (codes.sent % 10 === 0) peak = Math.max(peak, (await server.probe()).rssMiB);
  }
  const after = await server.probe();
  report({
    attack: 'stalled reader, 10 subscribes/s for 10 s',
    subscribes: codes.sent,
    rssStartMiB: Math.round(before.rssMiB),
    rssPeakMiB: Math.round(Math.max(peak, after.rssMiB)),
  });
  ws.terminate();
  await server.stop();
}

async function attackFull(dataDir: string): Promise<void> {
  const server = await ServerProcess.start(dataDir, { PROBE_MAX_PAGES: '30', RATE_LIMIT_SCALE: '100' });
  const socket = await connect(server.url);
  await subscribe(socket);
  const codes: Record<string, number> = {};
  for (let i = 0; i < 600; i++) {
    const ack = await ask(socket, 'note:create', {
      room: ROOM,
      opId: 'full-' + i.toString().padStart(6, '0'),
      anchor: { selectors: [] },
      body: 'x'.repeat(2_000),
    });
    const code = ack.ok ? 'ok' : ack.error.code;
    codes[code] = (codes[code] ?? 0) + 1;
  }
  const res = await fetch(server.url + '/healthz');
  report({
    attack: 'full store, 600 creates',
    acks: codes,
    healthz: res.status,
    body: await res.text(),
  });
  socket.close();
  await server.stop();
}

const attacks: Record<string, (dir: string) => Promise<void>> = {
  import: attackImport,
  subscribe: attackSubscribe,
  stalled: attackStalled,
  full: attackFull,
};
const which = process.argv.slice(2);
for (const name of which.length > 0 ? which : Object.keys(attacks)) {
  const dir = mkdtempSync(join(tmpdir(), 'copresence-attack-'));
  try {
    await attacks[name]!(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
