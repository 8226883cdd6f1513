/**
 * The presence time-to-live through the real app: a peer whose socket stays
 * connected but that stops sending keep-alives is dropped and announced as left, while
 * a peer that keeps sending them stays. PRESENCE_TTL_MS makes the TTL short enough to
 * wait for.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PresenceLeft, Result, RoomJoined } from '../../protocol/index.js';
import { ask, makeAuth, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/ttl';
const TTL_MS = 300;

async function join(socket: RoomsClient): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', { page: PAGE })) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

let server: TestServer;
let keepAlive: ReturnType<typeof setInterval> | undefined;

beforeEach(async () => {
  server = await startTestServer({ env: { PRESENCE_TTL_MS: String(TTL_MS) } });
});
afterEach(async () => {
  clearInterval(keepAlive);
  await server.dispose();
});

it('drops a connected peer that stopped keeping alive, and keeps the one that did', async () => {
  const alice = await server.rooms(makeAuth({ name: 'Alice' }));
  const bob = await server.rooms(makeAuth({ name: 'Bob' }));
  const { room } = await join(alice);
  const joinedAt = Date.now();
  const bobSelf = (await join(bob)).self;

  // Alice behaves like the extension (a quiet presence:update well within the TTL); Bob
  // says nothing more, but his socket stays open, so no disconnect can remove him.
  keepAlive = setInterval(() => alice.emit('presence:update', { room, idle: false }), TTL_MS / 4);
  const left = await once<PresenceLeft>(alice, 'presence:left', (event) => event.peerId === bobSelf.id);
  expect(left).toEqual({ room, peerId: bobSelf.id });
  expect(Date.now() - joinedAt).toBeGreaterThanOrEqual(TTL_MS);
  expect(bob.connected).toBe(true);

  // Server-side he is out of the room: his next keep-alive is refused (the extension
  // answers that by joining again), and a newcomer sees only Alice.
  expect(await ask(bob, 'presence:update', { room, idle: false })).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  const carol = await server.rooms(makeAuth({ name: 'Carol' }));
  expect((await join(carol)).peers.map((peer) => peer.name)).toEqual(['Alice']);
});
