// Namespace /rooms without cursors: join, presence events, leave, disconnect, room:list.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  PresenceJoined,
  PresenceLeft,
  PresenceUpdated,
  Result,
  RoomJoined,
} from '../../protocol/index.js';
import { ask, makeAuth, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article?b=2&a=1';

async function join(socket: RoomsClient, payload: object): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', payload)) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

describe('/rooms presence', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.dispose());

  it('acks a join with self and the others, and tells the others', async () => {
    const alice = await server.rooms(makeAuth({ name: 'Alice', color: '#aa0000' }));
    const bob = await server.rooms(makeAuth({ name: 'Bob', color: '#0000bb' }));
    const first = await join(alice, { page: PAGE });
    expect(first.peers).toEqual([]);
    expect(first.self).toEqual({
      id: expect.any(String),
      name: 'Alice',
      color: '#aa0000',
      idle: false,
      no: 1,
    });

    const heard = once<PresenceJoined>(alice, 'presence:joined');
    const second = await join(bob, { page: PAGE });
    expect(second.room).toBe(first.room);
    expect(second.peers).toEqual([first.self]);
    expect(await heard).toEqual({ room: first.room, peer: second.self });
  });

  it('puts two spellings of the same page in one room', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice, { page: 'https://EXAMPLE.com:443/article?a=1&utm_source=x&b=2#top' });
    const b = await join(bob, { page: PAGE, channel: '  Public ' });
    expect(b.room).toBe(a.room);
    expect(b.peers.map((p) => p.id)).toEqual([a.self.id]);
  });

  it('answers a second join the same way without a second presence:joined', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const { room } = await join(alice, { page: PAGE });
    const joins = record<PresenceJoined>(alice, 'presence:joined');
    const first = await join(bob, { page: PAGE });
    const again = await join(bob, { page: PAGE });
    expect(again).toEqual(first);
    // presence:updated is sent after any duplicate presence:joined would have been.
    const updated = once(alice, 'presence:updated');
    await ask(bob, 'presence:update', { room, idle: true });
    await updated;
    expect(joins).toHaveLength(1);
  });

  it('broadcasts presence:updated to the whole room', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const { room } = await join(alice, { page: PAGE });
    const { self } = await join(bob, { page: PAGE });
    const atAlice = once<PresenceUpdated>(alice, 'presence:updated');
    const atBob = once<PresenceUpdated>(bob, 'presence:updated');
    expect(await ask(bob, 'presence:update', { room, name: 'Robert', idle: true })).toEqual({
      ok: true,
      value: null,
    });
    const expected = { room, peer: { ...self, name: 'Robert', idle: true } };
    expect(await atAlice).toEqual(expected);
    expect(await atBob).toEqual(expected);
  });

  it('refuses presence:update for a room the socket has not joined', async () => {
    const alice = await server.rooms();
    const { room } = await join(alice, { page: PAGE });
    const stranger = await server.rooms();
    expect(await ask(stranger, 'presence:update', { room, idle: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('sends presence:left on room:leave and on disconnect', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const carol = await server.rooms();
    const { room } = await join(alice, { page: PAGE });
    const b = await join(bob, { page: PAGE });
    const c = await join(carol, { page: PAGE });

    const bobLeft = once<PresenceLeft>(alice, 'presence:left');
    expect(await ask(bob, 'room:leave', { room })).toEqual({ ok: true, value: null });
    expect(await bobLeft).toEqual({ room, peerId: b.self.id });

    const carolLeft = once<PresenceLeft>(alice, 'presence:left');
    carol.disconnect();
    expect(await carolLeft).toEqual({ room, peerId: c.self.id });

    const dave = await server.rooms();
    expect((await join(dave, { page: PAGE })).peers.map((p) => p.id)).toEqual([
      (await join(alice, { page: PAGE })).self.id,
    ]);
  });

  it('keeps a peer with two connections present until the last one leaves', async () => {
    const auth = makeAuth();
    const tab1 = await server.rooms(auth);
    const tab2 = await server.rooms(auth);
    const watcher = await server.rooms();
    const { room } = await join(watcher, { page: PAGE });
    const lefts = record<PresenceLeft>(watcher, 'presence:left');
    const joins = record<PresenceJoined>(watcher, 'presence:joined');
    const one = await join(tab1, { page: PAGE });
    const two = await join(tab2, { page: PAGE });
    expect(two.self.id).toBe(one.self.id);
    expect(two.peers.map((p) => p.id)).toEqual([(await join(watcher, { page: PAGE })).self.id]);

    await ask(tab1, 'room:leave', { room });
    const left = once<PresenceLeft>(watcher, 'presence:left');
    await ask(tab2, 'room:leave', { room });
    await left;
    expect(joins).toHaveLength(1);
    expect(lefts).toEqual([{ room, peerId: one.self.id }]);
  });

  it('lists the rooms of a page with head counts', async () => {
    const sockets = await Promise.all([1, 2, 3, 4].map(() => server.rooms()));
    const [a, b, c, d] = sockets as [RoomsClient, RoomsClient, RoomsClient, RoomsClient];
    await join(a, { page: PAGE });
    await join(b, { page: PAGE });
    const team = await join(c, { page: PAGE, channel: 'Team A' });
    await join(d, { page: 'https://example.com/other' });
    const asker = await server.rooms();
    const listed = (await ask(asker, 'room:list', { page: PAGE })) as Result<unknown>;
    expect(listed).toEqual({
      ok: true,
      value: [
        { channel: 'public', room: expect.stringMatching(/^public\|/), count: 2 },
        { channel: 'team-a', room: team.room, count: 1 },
      ],
    });
    expect(await ask(asker, 'room:list', { page: 'https://example.com/empty' })).toEqual({
      ok: true,
      value: [{ channel: 'public', room: 'public|https://example.com/empty', count: 0 }],
    });
  });

  it('answers invalid payloads with code invalid and joins nothing', async () => {
    const alice = await server.rooms();
    const invalid = { ok: false, error: { code: 'invalid', message: expect.any(String) } };
    for (const payload of [
      undefined,
      42,
      {},
      { page: 'ftp://example.com/file' },
      { page: 'not a url' },
      { page: PAGE, channel: 'a|b' },
      { page: PAGE, channel: 'x'.repeat(65) },
    ]) {
      expect(await ask(alice, 'room:join', payload)).toEqual(invalid);
    }
    expect(await ask(alice, 'room:list', { page: 'javascript:alert(1)' })).toEqual(invalid);
    expect(await ask(alice, 'room:leave', { room: 1 })).toEqual(invalid);
    expect(await ask(alice, 'presence:update', { room: 'public|' + PAGE, color: 'blue' })).toEqual(invalid);
    const listed = (await ask(alice, 'room:list', { page: PAGE })) as Result<Array<{ count: number }>>;
    expect(listed.ok && listed.value.map((r) => r.count)).toEqual([0]);
  });
});
