// Several-node mode (REDIS_URL): two real nodes, one redis-server, one PostgreSQL. People on
// different nodes see each other's presence, room:list counts and cursors in both formats,
// with peer, room and path numbers that mean the same on every node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cursorFromPacked,
  unpackBatch,
  type Cursor,
  type CursorBatch,
  type CursorPaths,
  type PresenceJoined,
  type PresenceLeft,
  type PresenceUpdated,
  type Result,
  type RoomJoined,
  type RoomSummary,
} from '../../protocol/index.js';
import { ask, makeAuth, type RoomsClient } from '../support/clients.js';
import { join, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import { once } from '../support/wait.js';

/** Cursors a packed client decoded, by peer id, with the numbers it learnt. */
function packedView(socket: RoomsClient, joined: RoomJoined) {
  const peers = new Map<number, string>();
  for (const peer of [joined.self, ...joined.peers]) if (peer.no) peers.set(peer.no, peer.id);
  const paths = new Map<number, string>();
  const seen: Array<{ peerId: string; cursor: Cursor | null }> = [];
  socket.on('presence:joined', ({ peer }: PresenceJoined) => {
    if (peer.no) peers.set(peer.no, peer.id);
  });
  socket.on('cursor:paths', ({ paths: fresh }: CursorPaths) => {
    for (const [no, path] of fresh) paths.set(no, path);
  });
  socket.on('cursor:packed', (payload: number[]) => {
    const batch = unpackBatch(payload);
    if (!batch.ok || batch.value.roomNo !== joined.roomNo) throw new Error('a batch of another room');
    for (const { no, cursor } of batch.value.entries) {
      const peerId = peers.get(no);
      if (peerId === undefined) throw new Error(`unknown peer number ${no}`);
      seen.push({ peerId, cursor: cursor && cursorFromPacked(cursor, (n) => paths.get(n)) });
    }
  });
  const sees = (peerId: string, match: (cursor: Cursor | null) => boolean) =>
    seen.some((e) => e.peerId === peerId && match(e.cursor))
      ? Promise.resolve()
      : once(socket, 'cursor:packed', () => seen.some((e) => e.peerId === peerId && match(e.cursor)));
  return { seen, sees };
}

describe('several nodes: rooms', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ PRESENCE_TTL_MS: '3000' });
  });
  afterAll(() => cluster.dispose());

  it('shows presence across nodes: the peer list, joined, updated and left', async () => {
    const page = PAGE + '?t=presence';
    const alice = await cluster.a.rooms(makeAuth({ name: 'Alice' }));
    const bob = await cluster.b.rooms(makeAuth({ name: 'Bob' }));
    const a = await join(alice, 'objects', page);
    const joined = once<PresenceJoined>(alice, 'presence:joined');
    const b = await join(bob, 'objects', page);
    expect(b.peers).toEqual([a.self]);
    expect((await joined).peer).toEqual(b.self);
    expect(b.self.no).not.toBe(a.self.no);

    const updated = once<PresenceUpdated>(alice, 'presence:updated');
    bob.emit('presence:update', { room: b.room, idle: true });
    expect((await updated).peer).toMatchObject({ id: b.self.id, idle: true });

    // A third person on node A gets Bob's latest state from Redis.
    const carol = await cluster.a.rooms();
    const c = await join(carol, 'objects', page);
    expect(c.peers).toEqual(expect.arrayContaining([a.self, { ...b.self, idle: true }]));

    const left = once<PresenceLeft>(alice, 'presence:left');
    bob.disconnect();
    expect(await left).toEqual({ room: b.room, peerId: b.self.id });
  });

  it('counts everyone in room:list whichever node answers', async () => {
    const page = PAGE + '?t=list';
    const alice = await cluster.a.rooms();
    const bob = await cluster.b.rooms();
    await join(alice, 'objects', page);
    await join(bob, 'objects', page);
    for (const socket of [alice, bob]) {
      const listed = (await ask(socket, 'room:list', { page })) as Result<RoomSummary[]>;
      expect(listed.ok && listed.value[0]).toMatchObject({ channel: 'public', count: 2 });
    }
  });

  it('carries objects cursors to the other node, never back to the sender', async () => {
    const page = PAGE + '?t=objects';
    const alice = await cluster.a.rooms();
    const bob = await cluster.b.rooms();
    const a = await join(alice, 'objects', page);
    const b = await join(bob, 'objects', page);
    const seen = once<CursorBatch>(bob, 'cursor:batch', (batch) =>
      batch.cursors.some((e) => e.peerId === a.self.id && e.cursor?.x === 0.25),
    );
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.25, y: 0.5 } });
    await seen;
    const back = once<CursorBatch>(alice, 'cursor:batch', (batch) =>
      batch.cursors.some((e) => e.peerId === b.self.id && e.cursor?.x === 0.75),
    );
    bob.emit('cursor:move', { room: b.room, cursor: { x: 0.75, y: 0.5 } });
    const batch = await back;
    expect(batch.cursors.map((e) => e.peerId)).not.toContain(a.self.id);
  });

  it('carries packed cursors with one room number, unique peer numbers and shared path numbers', async () => {
    const page = PAGE + '?t=packed';
    const alice = await cluster.a.rooms();
    const bob = await cluster.b.rooms();
    const a = await join(alice, 'packed', page);
    const b = await join(bob, 'packed', page);
    expect(b.roomNo).toBe(a.roomNo);
    expect(b.self.no).not.toBe(a.self.no);
    const atBob = packedView(bob, b);
    const atAlice = packedView(alice, a);
    // The first moves may go without their anchor while Redis numbers the path; later ones have it.
    const moveUntilAnchored = async (
      sender: RoomsClient,
      joined: RoomJoined,
      watcher: ReturnType<typeof packedView>,
      base: Cursor,
    ) => {
      for (let i = 0; !watcher.seen.some((e) => e.peerId === joined.self.id && e.cursor?.anchor); i++) {
        if (i === 50) throw new Error('the anchor never crossed');
        const x = (10 + i) / 100;
        const moved = watcher.sees(joined.self.id, (c) => c?.x === x);
        sender.emit('cursor:move', { room: joined.room, cursor: { ...base, x } });
        await moved;
      }
    };
    await moveUntilAnchored(alice, a, atBob, {
      x: 0,
      y: 0.5,
      anchor: { path: '#main > p', fx: 0.1, fy: 0.9 },
    });
    // Bob's node uses the number Alice's node got for the same path.
    await moveUntilAnchored(bob, b, atAlice, {
      x: 0,
      y: 0.5,
      anchor: { path: '#main > p', fx: 0.2, fy: 0.2 },
    });
    expect(atAlice.seen.find((e) => e.cursor?.anchor)?.cursor?.anchor?.path).toBe('#main > p');
  });

  it('labels every metric with the node and shows the Redis link and the store', async () => {
    const text = await (await fetch(cluster.b.url + '/metrics')).text();
    const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((line) => !line.includes('node="node-b"'))).toEqual([]);
    expect(samples).toContain('copresence_redis_connected{node="node-b"} 1');
    expect(samples).toContain('copresence_redis_reconnects{node="node-b"} 0');
    expect(samples).toContain('copresence_store_state{state="ok",node="node-b"} 1');
    expect(samples).toContain('copresence_store_state{state="read-only",node="node-b"} 0');
    const health = await fetch(cluster.b.url + '/healthz');
    expect(await health.json()).toEqual({ ok: true, store: 'ok', node: 'node-b', redis: 'up' });
  });

  it('gives a newcomer on the other node the cursors already there', async () => {
    const page = PAGE + '?t=newcomer';
    const alice = await cluster.a.rooms();
    const a = await join(alice, 'packed', page);
    const watcher = await cluster.a.rooms();
    const w = await join(watcher, 'packed', page);
    const atWatcher = packedView(watcher, w);
    const moved = atWatcher.sees(a.self.id, (c) => c?.x === 0.125);
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.125, y: 0.5 } });
    await moved;
    const bob = await cluster.b.rooms();
    const snapshot = once<number[]>(bob, 'cursor:packed');
    const b = await join(bob, 'packed', page);
    const atBob = packedView(bob, b);
    await snapshot;
    await atBob.sees(a.self.id, (c) => c?.x === 0.125);
  });
});
