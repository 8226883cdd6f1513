// Packed cursor batches on /rooms: one array per room and tick for every packed
// member, peer and path numbers that decode back to the same cursors, and objects-format
// members in the same room still served their own way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cursorFromPacked,
  unpackBatch,
  type Cursor,
  type CursorBatch,
  type CursorPaths,
  type PresenceJoined,
  type Result,
  type RoomJoined,
} from '../../protocol/index.js';
import { ask, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';

async function join(socket: RoomsClient, cursorFormat?: 'packed' | 'objects'): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', { page: PAGE, cursorFormat })) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

/** What a packed client knows: peer numbers and path numbers, and the cursors it decoded. */
function packedView(socket: RoomsClient, joined: RoomJoined) {
  const peers = new Map<number, string>();
  for (const peer of [joined.self, ...joined.peers]) if (peer.no) peers.set(peer.no, peer.id);
  const paths = new Map<number, string>();
  const seen: Array<{ peerId: string; cursor: Cursor | null }> = [];
  const raw: number[][] = [];
  socket.on('presence:joined', ({ peer }: PresenceJoined) => {
    if (peer.no) peers.set(peer.no, peer.id);
  });
  socket.on('cursor:paths', ({ paths: fresh }: CursorPaths) => {
    for (const [no, path] of fresh) paths.set(no, path);
  });
  socket.on('cursor:packed', (payload: number[]) => {
    raw.push(payload);
    const batch = unpackBatch(payload);
    if (!batch.ok) throw new Error(batch.error.message);
    expect(batch.value.roomNo).toBe(joined.roomNo);
    for (const { no, cursor } of batch.value.entries) {
      const peerId = peers.get(no);
      if (peerId === undefined) throw new Error(`unknown peer number ${no}`);
      seen.push({ peerId, cursor: cursor && cursorFromPacked(cursor, (n) => paths.get(n)) });
    }
  });
  /** Resolves once the peer's cursor arrived with this x. */
  const sees = (peerId: string, x: number) =>
    once(socket, 'cursor:packed', () => seen.some((e) => e.peerId === peerId && e.cursor?.x === x));
  return { seen, raw, paths, sees };
}

const drain = (socket: RoomsClient) => ask(socket, 'room:list', { page: PAGE });

describe('/rooms packed cursors', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.dispose());

  it('numbers the room and its peers in the join ack and in presence:joined', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice, 'packed');
    const announced = once<PresenceJoined>(alice, 'presence:joined');
    const b = await join(bob, 'packed');
    expect(a.roomNo).toBeGreaterThan(0);
    expect(b.roomNo).toBe(a.roomNo);
    expect(a.self.no).toBe(1);
    expect(b.self.no).toBe(2);
    expect(b.peers).toEqual([a.self]);
    expect((await announced).peer).toEqual(b.self);
  });

  it('sends every packed member the same array, anchors by path number, and the sender skips its own number', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice, 'packed');
    const atAlice = packedView(alice, a);
    const b = await join(bob, 'packed');
    const atBob = packedView(bob, b);
    const cursor: Cursor = {
      x: 0.25,
      y: 0.5,
      anchor: { path: '#main > p:nth-child(2)', fx: 0.1, fy: 0.9, text: { offset: 17, fx: 0.5, fy: 0.25 } },
    };
    const pathsFirst = once<CursorPaths>(bob, 'cursor:paths');
    const seen = atBob.sees(a.self.id, 0.25);
    alice.emit('cursor:move', { room: a.room, cursor });
    expect(await pathsFirst).toEqual({ room: a.room, paths: [[1, '#main > p:nth-child(2)']] });
    await seen;
    expect(atBob.seen).toContainEqual({ peerId: a.self.id, cursor });
    // Alice got the same frame, her own entry in it: that is how one frame serves the room.
    // (Bob may also have had a newcomer snapshot first, if his join's flush came after the move.)
    await drain(alice);
    expect(atAlice.raw.at(-1)).toEqual(atBob.raw.at(-1));
    expect(atAlice.raw.at(-1)).toContain(-(a.self.no ?? 0));
    // The path was announced once; the next move on the same element only names its number.
    const again = atBob.sees(a.self.id, 0.3);
    alice.emit('cursor:move', { room: a.room, cursor: { ...cursor, x: 0.3 } });
    await again;
    await drain(bob);
    expect([...atBob.paths]).toEqual([[1, '#main > p:nth-child(2)']]);
  });

  it('gives a newcomer every path and every current cursor, then leaves departed peers to presence:left', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice, 'packed');
    const bobSide = await join(bob, 'packed');
    const atBob = packedView(bob, bobSide);
    const cursor: Cursor = { x: 0.75, y: 0.125, anchor: { path: 'body > h1', fx: 0.5, fy: 0.5 } };
    const arrived = atBob.sees(a.self.id, 0.75);
    alice.emit('cursor:move', { room: a.room, cursor });
    await arrived;

    const carol = await server.rooms();
    const pathsFirst = once<CursorPaths>(carol, 'cursor:paths');
    const snapshot = once<number[]>(carol, 'cursor:packed');
    const c = await join(carol, 'packed');
    expect(await pathsFirst).toEqual({ room: c.room, paths: [[1, 'body > h1']] });
    const decoded = unpackBatch(await snapshot);
    expect(decoded.ok && decoded.value.entries.map((e) => e.no)).toEqual([a.self.no]);

    // Alice leaves: Bob hears presence:left, and no later batch mentions her number.
    const left = once(bob, 'presence:left');
    alice.disconnect();
    await left;
    const before = atBob.raw.length;
    const seen = atBob.sees(c.self.id, 0.5);
    carol.emit('cursor:move', { room: c.room, cursor: { x: 0.5, y: 0.5 } });
    await seen;
    const later = atBob.raw.slice(before).flatMap((payload) => {
      const batch = unpackBatch(payload);
      return batch.ok ? batch.value.entries.map((e) => e.no) : [];
    });
    expect(later).not.toContain(a.self.no);
    // Her number is free again for the next peer.
    const dave = await server.rooms();
    expect((await join(dave, 'packed')).self.no).toBe(a.self.no);
  });

  it('serves objects members of the same room without echo while packed members share one array', async () => {
    const packed = await server.rooms();
    const legacy = await server.rooms();
    const p = await join(packed, 'packed');
    const atPacked = packedView(packed, p);
    const l = await join(legacy);
    const objects = record<CursorBatch>(legacy, 'cursor:batch');
    const packedToLegacy = record(legacy, 'cursor:packed');
    const objectsToPacked = record(packed, 'cursor:batch');

    const legacySees = once<CursorBatch>(legacy, 'cursor:batch', (batch) =>
      batch.cursors.some((e) => e.peerId === p.self.id && e.cursor?.x === 0.1),
    );
    packed.emit('cursor:move', { room: p.room, cursor: { x: 0.1, y: 0.2 } });
    await legacySees;
    const packedSees = atPacked.sees(l.self.id, 0.4);
    legacy.emit('cursor:move', { room: l.room, cursor: { x: 0.4, y: 0.6 } });
    await packedSees;
    await Promise.all([drain(packed), drain(legacy)]);

    expect(objects.flatMap((batch) => batch.cursors.map((e) => e.peerId))).not.toContain(l.self.id);
    expect(packedToLegacy).toEqual([]);
    expect(objectsToPacked).toEqual([]);
  });

  it('rejects an unknown cursor format and joins nothing', async () => {
    const alice = await server.rooms();
    const result = (await ask(alice, 'room:join', {
      page: PAGE,
      cursorFormat: 'binary',
    })) as Result<RoomJoined>;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid');
    const listed = (await ask(alice, 'room:list', { page: PAGE })) as Result<Array<{ count: number }>>;
    expect(listed.ok && listed.value[0]?.count).toBe(0);
  });
});
