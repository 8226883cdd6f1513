// Clients that never read (issue 10): what the server queues for one connection is bounded
// in bytes (MAX_QUEUED_BYTES); a connection over it is closed and counted, and the other
// clients of the room are unaffected. Over WebSocket (a client whose TCP socket stopped
// reading) and over long-polling (a client that never polls again).
import type { Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { NoteChanged, Result } from '../../protocol/index.js';
import { ask, makeAuth, raw, type NotesClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = 'public|' + PAGE;
const SEPARATOR = '\x1e';
/** 1 MiB, the smallest bound allowed is 64 KiB; the default is 4 MiB. */
const BOUND = 1024 * 1024;

let server: TestServer;
afterEach(() => server.dispose());

/** The value of one sample line of GET /metrics, 0 when absent. */
async function metric(line: string): Promise<number> {
  const text = await (await fetch(server.url + '/metrics')).text();
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

/** Resolves with the close reason of a server-side Engine.IO connection; rejects after `ms`. */
function closed(conn: { once(event: 'close', fn: (reason: string) => void): void }, ms = 10_000) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
    conn.once('close', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** A busy room: `count` notes of 10,000 characters, so every subscribe ack is ~200 KB. */
async function busyRoom(writer: NotesClient, count: number): Promise<void> {
  await ask(writer, 'notes:subscribe', { room: ROOM });
  for (let i = 0; i < count; i++) {
    const created = (await ask(writer, 'note:create', {
      room: ROOM,
      opId: `op-busy-${i}`,
      anchor: { selectors: [] },
      body: String(i).padEnd(10_000, '.'),
    })) as Result<unknown>;
    if (!created.ok) throw new Error(created.error.message);
  }
}

/** A polling session on /notes that reads its CONNECT answer, then never polls again. */
async function pollingSession() {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const sid = (JSON.parse((await (await fetch(base)).text()).slice(1)) as { sid: string }).sid;
  const session = `${base}&sid=${sid}`;
  const post = (body: string) => fetch(session, { method: 'POST', body });
  await post('40/notes,' + JSON.stringify(makeAuth()));
  for (;;) {
    const packets = (await (await fetch(session)).text()).split(SEPARATOR);
    if (packets.some((packet) => packet.startsWith('40/notes,'))) break;
  }
  const conn = (server.app.io.engine as unknown as { clients: Record<string, never> }).clients[sid]!;
  return { sid, post, conn };
}

/** Resolves once the server made the ack with id `n` for a connection (queued, not sent). */
function acked(conn: object, n: number): Promise<void> {
  const source = conn as {
    on(e: 'packetCreate', fn: (p: { data?: unknown }) => void): void;
    off(e: string, fn: unknown): void;
  };
  return new Promise((resolve) => {
    const listener = (packet: { data?: unknown }) => {
      if (typeof packet.data !== 'string' || !packet.data.startsWith(`3/notes,${n}[`)) return;
      source.off('packetCreate', listener);
      resolve();
    };
    source.on('packetCreate', listener);
  });
}

/** A notes:subscribe request with ack id `n`, as a polling client posts it. */
const subscribeRequest = (n: number) => `42/notes,${n}` + JSON.stringify(['notes:subscribe', { room: ROOM }]);

describe('clients that never read', () => {
  it('closes a WebSocket connection once more than MAX_QUEUED_BYTES wait for it, and counts it', async () => {
    server = await startTestServer({ env: { MAX_QUEUED_BYTES: String(BOUND), RATE_LIMIT_SCALE: '100' } });
    const writer = await server.notes();
    await busyRoom(writer, 20);
    const reader = await server.notes();
    await ask(reader, 'notes:subscribe', { room: ROOM });
    const heard = record<NoteChanged>(reader, 'note:created');

    const stalled = await server.notes(makeAuth());
    await ask(stalled, 'notes:subscribe', { room: ROOM });
    const conn = server.app.io.of('/notes').sockets.get(stalled.id!)!.conn;
    const gone = closed(conn);
    // From here on the client reads nothing; it still writes.
    const transport = raw(stalled).io.engine.transport as unknown as { ws: { _socket: NetSocket } };
    transport.ws._socket.pause();
    // 200 subscribe acks of ~200 KB each (40 MB), and a note broadcast to the room meanwhile.
    for (let i = 0; i < 200; i++) raw(stalled).emit('notes:subscribe', { room: ROOM }, () => undefined);
    const note = (await ask(writer, 'note:create', {
      room: ROOM,
      opId: 'op-during',
      anchor: { selectors: [] },
      body: 'while someone is not reading',
    })) as Result<{ id: string }>;

    expect(await gone).toBe('forced close');
    expect(await metric('copresence_slow_client_disconnects_total')).toBe(1);
    // Nothing is left queued for it: the buffers went with the connection.
    expect(await metric('copresence_queued_bytes')).toBeLessThan(BOUND);
    // The others did not notice.
    expect(reader.connected && writer.connected).toBe(true);
    if (!heard.some((e) => note.ok && e.note.id === note.value.id)) await once(reader, 'note:created');
    expect(heard.map((e) => e.note.body)).toContain('while someone is not reading');
    expect(((await ask(reader, 'notes:subscribe', { room: ROOM })) as Result<unknown[]>).ok).toBe(true);
  });

  it('closes a long-polling session that never polls once its queue is over the bound', async () => {
    server = await startTestServer({ env: { MAX_QUEUED_BYTES: String(BOUND), RATE_LIMIT_SCALE: '100' } });
    const writer = await server.notes();
    await busyRoom(writer, 20);
    const { post, conn } = await pollingSession();
    const gone = closed(conn);
    // Requests whose acks (~200 KB each) can only queue: no GET is open to carry them.
    for (let n = 1; n <= 10; n++) await post(subscribeRequest(n));

    expect(await gone).toBe('forced close');
    expect(await metric('copresence_slow_client_disconnects_total')).toBe(1);
    // The session is gone: the server answers its id no more.
    expect((await post(subscribeRequest(11))).status).toBe(400);
    expect(writer.connected).toBe(true);
  });

  it('closes the connection that takes its address over the per-address bound, and only that one', async () => {
    // MAX_CONNECTIONS_PER_IP=5 sizes the address for one person: its bound is one connection's, 1 MiB.
    server = await startTestServer({
      env: { MAX_QUEUED_BYTES: String(BOUND), RATE_LIMIT_SCALE: '100', MAX_CONNECTIONS_PER_IP: '5' },
    });
    const writer = await server.notes();
    await busyRoom(writer, 20);
    const [first, second] = [await pollingSession(), await pollingSession()];
    const secondGone = closed(second.conn);
    // ~600 KB each: under the per-connection bound, over the address's together.
    const firstQueued = acked(first.conn, 3);
    for (let n = 1; n <= 3; n++) await first.post(subscribeRequest(n));
    await firstQueued;
    for (let n = 1; n <= 3; n++) await second.post(subscribeRequest(n));
    expect(await secondGone).toBe('forced close');
    expect(await metric('copresence_slow_client_disconnects_total')).toBe(1);
    expect((first.conn as unknown as { readyState: string }).readyState).toBe('open');
    expect(writer.connected).toBe(true);
  });
});
