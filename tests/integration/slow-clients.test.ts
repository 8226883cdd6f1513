// Clients that never read: what the server queues for one connection is bounded
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

/**
 * A busy room: `count` notes of 10,000 characters, each broadcast to every subscriber
 * (~30 KB a message). Pages and exports are bounded and held back for a client that does
 * not read (notes-limits.test.ts), so what piles up for such a client is the room's traffic.
 */
async function busyRoom(writer: NotesClient, count: number, from = 0): Promise<void> {
  await ask(writer, 'notes:subscribe', { room: ROOM });
  for (let i = from; i < from + count; i++) {
    const created = (await ask(writer, 'note:create', {
      room: ROOM,
      opId: `op-busy-${i}`,
      anchor: { selectors: [] },
      // Hangul: 3 bytes a character in UTF-8, so each broadcast is ~30 KB.
      body: String(i).padEnd(10_000, '가'),
    })) as Result<unknown>;
    if (!created.ok) throw new Error(created.error.message);
  }
}

/** Generous budgets, so only the queue bound is under test. */
const ENV = {
  MAX_QUEUED_BYTES: String(BOUND),
  RATE_LIMIT_SCALE: '100',
  MAX_NOTES_PER_AUTHOR_PER_DAY: '100000',
};

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
    server = await startTestServer({ env: ENV });
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
    // 500 broadcasts of ~30 KB (15 MB: more than the bound plus what loopback TCP buffers),
    // and one more note the others must still get.
    await busyRoom(writer, 500, 20);
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
    server = await startTestServer({ env: ENV });
    const writer = await server.notes();
    const { post, conn } = await pollingSession();
    const gone = closed(conn);
    // Subscribed, then the room's broadcasts (~30 KB each) can only queue: no GET is open to carry them.
    const subscribed = acked(conn, 1);
    await post(subscribeRequest(1));
    await subscribed;
    await busyRoom(writer, 150, 20);

    expect(await gone).toBe('forced close');
    expect(await metric('copresence_slow_client_disconnects_total')).toBe(1);
    // The session is gone: the server answers its id no more.
    expect((await post(subscribeRequest(2))).status).toBe(400);
    expect(writer.connected).toBe(true);
  });

  it('closes the connection that takes its address over the per-address bound, and only that one', async () => {
    // MAX_CONNECTIONS_PER_IP=5 sizes the address for one person: its bound is one connection's, 1 MiB.
    server = await startTestServer({
      env: { MAX_QUEUED_BYTES: String(BOUND), RATE_LIMIT_SCALE: '100', MAX_CONNECTIONS_PER_IP: '5' },
    });
    const writer = await server.notes();
    await busyRoom(writer, 1);
    const [first, second] = [await pollingSession(), await pollingSession()];
    for (const session of [first, second]) {
      const subscribed = acked(session.conn, 1);
      await session.post(subscribeRequest(1));
      await subscribed;
    }
    let gone: 'first' | 'second' | undefined;
    (first.conn as unknown as NetSocket).once('close', () => (gone ??= 'first'));
    (second.conn as unknown as NetSocket).once('close', () => (gone ??= 'second'));
    // Each broadcast (~30 KB) queues for both: about 512 KiB each, under the per-connection
    // bound, puts the two over the address's 1 MiB together. Stop at the first close.
    for (let i = 1; gone === undefined && i <= 100; i++) await busyRoom(writer, 1, i);
    expect(gone).toBeDefined();
    expect(await metric('copresence_slow_client_disconnects_total')).toBe(1);
    const survivor = (gone === 'first' ? second : first).conn as unknown as { readyState: string };
    expect(survivor.readyState).toBe('open');
    expect(writer.connected).toBe(true);
  });
});
