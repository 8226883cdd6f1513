// Long-polling bounds that a real socket.io-client never tests because it behaves (issue 15):
// a client that keeps its session after the server refused an oversized POST, and one that
// opens polling sessions without end; and cursors that change between two polls.
// limits.test.ts and handshake.test.ts run every limit over both transports.
import { afterEach, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../server/app.js';
import type { CursorBatch } from '../../protocol/index.js';
import { ask, makeAuth } from '../support/clients.js';
import { pollingClient } from '../support/polling-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, until } from '../support/wait.js';

let server: TestServer;
afterEach(() => server.dispose());

/** Opens an Engine.IO polling session by hand (the handshake's answer). */
async function openSession(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers });
}

const sidOf = async (res: Response) => (JSON.parse((await res.text()).slice(1)) as { sid: string }).sid;

it('closes a polling session that posts more than 64 KiB, as a WebSocket is closed', async () => {
  server = await startTestServer();
  const sid = await sidOf(await openSession(server.url));
  const session = `${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  const connect = await fetch(session, { method: 'POST', body: '40/notes,' + JSON.stringify(makeAuth()) });
  expect(connect.status).toBe(200);
  const engine = server.app.io.engine as unknown as { clients: Record<string, unknown> };
  expect(engine.clients[sid]).toBeDefined();
  const oversized = await fetch(session, { method: 'POST', body: '4' + 'x'.repeat(MAX_MESSAGE_BYTES + 10) });
  expect(oversized.status).toBe(413);
  // The client ignores the refusal and goes on: the session is gone.
  expect(engine.clients[sid]).toBeUndefined();
  const after = await fetch(session, { method: 'POST', body: '2' });
  expect(after.status).toBe(400);
  expect(await after.json()).toMatchObject({ message: 'Session ID unknown' });
});

it('caps the polling sessions one address opens by hand, and frees a slot when one closes', async () => {
  server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '4' } });
  const sessions: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await openSession(server.url, { origin: 'chrome-extension://abcdefghijklmnop' });
    expect(res.status).toBe(200);
    sessions.push(await sidOf(res));
  }
  // Sessions that never send a Socket.IO packet still count: the fifth is refused at the handshake.
  const refused = await openSession(server.url, { origin: 'chrome-extension://abcdefghijklmnop' });
  expect(refused.status).toBe(403);
  expect(await refused.json()).toMatchObject({ message: 'too many connections from this address' });
  await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sessions[0]}`, {
    method: 'POST',
    body: '1',
  });
  const engine = server.app.io.engine as unknown as { clients: Record<string, unknown> };
  expect(engine.clients[sessions[0]!]).toBeUndefined();
  expect((await openSession(server.url)).status).toBe(200);
});

it('ends a polling session that stops polling once it misses a heartbeat, and frees its slot', async () => {
  server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '1' } });
  // Engine.IO's 25 s ping interval and 20 s timeout, shortened: the same code path, read per session.
  Object.assign(server.app.io.engine.opts, { pingInterval: 300, pingTimeout: 300 });
  const sid = await sidOf(await openSession(server.url));
  const engine = server.app.io.engine as unknown as { clients: Record<string, unknown> };
  // It holds the address's one slot while it lives...
  expect((await openSession(server.url)).status).toBe(403);
  // ...and never polls, so it never reads the ping, never answers: closed, slot freed.
  const took = await until(() => Promise.resolve(engine.clients[sid] === undefined), 3_000, 'session ended');
  expect(took).toBeGreaterThanOrEqual(500);
  expect((await openSession(server.url)).status).toBe(200);
});

it('keeps the cursor batches made between two polls for the next one, the last position included', async () => {
  server = await startTestServer({ env: { TICK_HZ: '200' } });
  const page = 'https://example.com/between-polls';
  const room = 'public|' + page;
  const poller = await pollingClient(server.url, makeAuth(), page);
  const alice = await server.rooms();
  const watcher = await server.rooms();
  await ask(alice, 'room:join', { page });
  await ask(watcher, 'room:join', { page });
  // No GET is open for the poller while Alice moves: each batch finds its transport busy.
  for (let i = 1; i <= 5; i++) {
    const x = i / 10;
    alice.emit('cursor:move', { room, cursor: { x, y: 0.5 } });
    await once<CursorBatch>(watcher, 'cursor:batch', (b) => b.cursors.some((e) => e.cursor?.x === x));
  }
  // One GET; a move after it answers it even when nothing was kept.
  const polled = poller.poll();
  alice.emit('cursor:move', { room, cursor: { x: 0.6, y: 0.5 } });
  const xs: number[] = [];
  for (const packet of await polled) {
    if (!packet.startsWith('42/rooms,["cursor:batch"')) continue;
    const [, batch] = JSON.parse(packet.slice('42/rooms,'.length)) as [string, CursorBatch];
    for (const entry of batch.cursors) if (entry.cursor) xs.push(entry.cursor.x);
  }
  expect(xs.slice(0, 5)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  await poller.close();
});
