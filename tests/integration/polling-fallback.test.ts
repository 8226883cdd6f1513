// The service worker's connection (extension/background/connection.ts, the code the extension
// runs) behind a proxy that refuses WebSocket upgrades (issue 15): it falls back to
// long-polling over fetch at once, works there (join, cursors, notes), and moves back to
// WebSocket in place once the proxy lets upgrades through, without a disconnect.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Connection, type NotesSocket, type RoomsSocket } from '../../extension/background/connection.js';
import { UPGRADE_PROBE_DELAYS_MS } from '../../extension/background/transport-upgrade.js';
import { WEBSOCKET_OPEN_TIMEOUT_MS } from '../../extension/background/websocket-timeout.js';
import type { Auth, Note, Result, RoomJoined } from '../../protocol/index.js';
import { ask, makeAuth, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startUpgradeProxy, type UpgradeProxy } from '../support/upgrade-proxy.js';
import { once, until } from '../support/wait.js';

const PAGE = 'https://example.com/polling-fallback';

let server: TestServer;
let proxy: UpgradeProxy;
let connection: Connection;
let sockets: { rooms: RoomsSocket; notes: NotesSocket };
let disconnects = 0;
let statusChanges = 0;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  connection?.close();
  await proxy?.close();
});
afterAll(async () => {
  await server?.dispose();
});

/** The worker's Connection through the proxy; resolves once both namespaces are connected. */
async function openThroughProxy(blocked: 'refuse' | 'hang' = 'refuse'): Promise<void> {
  proxy = await startUpgradeProxy(server.url, { blocked });
  disconnects = 0;
  statusChanges = 0;
  let bothConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (bothConnected = resolve));
  connection = new Connection({
    bind: (rooms, notes) => (sockets = { rooms, notes }),
    roomsConnected: () => undefined,
    notesConnected: () => undefined,
    disconnected: () => (disconnects += 1),
    statusChanged: () => {
      statusChanges += 1;
      if (connection.status === 'connected') bothConnected();
    },
  });
  connection.open(proxy.url, makeAuth({ name: 'Polly' }) as Auth);
  await connected;
}

it('falls back to long-polling when the WebSocket upgrade is refused, and works there', async () => {
  await openThroughProxy();
  expect(connection.transport).toBe('polling');
  expect(proxy.counts.refused).toBeGreaterThanOrEqual(1);
  const { rooms, notes } = sockets;
  const joined = (await rooms.timeout(3000).emitWithAck('room:join', { page: PAGE })) as Result<RoomJoined>;
  if (!joined.ok) throw new Error(joined.error.message);
  const room = joined.value.room;
  // A WebSocket user in the same room sees the polling user's cursor and note, and vice versa.
  const other: RoomsClient = await server.rooms(makeAuth({ name: 'Webb' }));
  expect(await ask(other, 'room:join', { page: PAGE, cursorFormat: 'objects' })).toMatchObject({ ok: true });
  const seen = once<{ cursors: Array<{ cursor: { x: number } | null }> }>(other, 'cursor:batch', (batch) =>
    batch.cursors.some((entry) => entry.cursor?.x === 0.25),
  );
  connection.moveCursor(room, { x: 0.25, y: 0.5 });
  await seen;
  const heard = once(rooms, 'cursor:batch');
  other.emit('cursor:move', { room, cursor: { x: 0.75, y: 0.5 } });
  await heard;
  await notes.timeout(3000).emitWithAck('notes:subscribe', { room });
  const created = (await notes.timeout(3000).emitWithAck('note:create', {
    room,
    opId: 'polling-op-1',
    anchor: { selectors: [] },
    body: 'written over long-polling',
  })) as Result<Note>;
  expect(created).toMatchObject({ ok: true, value: { body: 'written over long-polling' } });
  expect(connection.transport).toBe('polling');
});

it('moves to WebSocket in place once the proxy allows upgrades: no disconnect, same sockets', async () => {
  await openThroughProxy();
  expect(connection.transport).toBe('polling');
  const ids = { rooms: sockets.rooms.id, notes: sockets.notes.id };
  const fellBack = performance.now();
  proxy.allowUpgrades(true);
  const took = await until(
    () => Promise.resolve(connection.transport === 'websocket'),
    UPGRADE_PROBE_DELAYS_MS[0] + 3_000,
    'the connection moved to WebSocket',
  );
  expect(took).toBeGreaterThan(0);
  expect(performance.now() - fellBack).toBeLessThan(UPGRADE_PROBE_DELAYS_MS[0] + 3_000);
  expect(proxy.counts.upgraded).toBe(1);
  expect(disconnects).toBe(0);
  expect({ rooms: sockets.rooms.id, notes: sockets.notes.id }).toEqual(ids);
  // The popup heard about the change of transport.
  expect(statusChanges).toBeGreaterThanOrEqual(2);
  // Still usable on the new transport.
  expect(await ask(sockets.rooms as unknown as RoomsClient, 'room:join', { page: PAGE })).toMatchObject({
    ok: true,
  });
}, 20_000);

it('stays on polling while the proxy keeps refusing, and keeps trying', async () => {
  await openThroughProxy();
  const before = proxy.counts.refused;
  await until(
    () => Promise.resolve(proxy.counts.refused > before),
    UPGRADE_PROBE_DELAYS_MS[0] + 3_000,
    'a re-probe',
  );
  expect(connection.transport).toBe('polling');
  expect(connection.status).toBe('connected');
  expect(disconnects).toBe(0);
}, 20_000);

it('falls back to polling when the WebSocket handshake is dropped silently, after the open timeout', async () => {
  const started = performance.now();
  await openThroughProxy('hang');
  const took = performance.now() - started;
  expect(connection.transport).toBe('polling');
  expect(proxy.counts.refused).toBe(1);
  // Not the Manager's 20 s connect timeout (which would retry WebSocket for ever).
  expect(took).toBeGreaterThanOrEqual(WEBSOCKET_OPEN_TIMEOUT_MS);
  expect(took).toBeLessThan(WEBSOCKET_OPEN_TIMEOUT_MS + 2_000);
  expect(disconnects).toBe(0);
});

it('gives up a re-probe that hangs, closing its socket, and upgrades once the network lets WebSocket through', async () => {
  await openThroughProxy('hang');
  // The fallback's own WebSocket, given up after the open timeout and closed.
  await until(() => Promise.resolve(proxy.counts.abandoned === 1), 2_000, 'the hung handshake closed');
  // The first re-probe hangs too; it is failed and its socket closed, not left open.
  await until(
    () => Promise.resolve(proxy.counts.abandoned === 2),
    UPGRADE_PROBE_DELAYS_MS[0] + WEBSOCKET_OPEN_TIMEOUT_MS + 2_000,
    'the hung probe closed',
  );
  expect(connection.transport).toBe('polling');
  proxy.allowUpgrades(true);
  await until(
    () => Promise.resolve(connection.transport === 'websocket'),
    UPGRADE_PROBE_DELAYS_MS[1] + 3_000,
    'the next probe upgraded',
  );
  expect(disconnects).toBe(0);
}, 30_000);
