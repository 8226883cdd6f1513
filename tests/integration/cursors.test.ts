// Cursor relay on /rooms: batches per tick, never echoed to the sender, null on hide/leave.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, CursorBatch, Result, RoomJoined } from '../../protocol/index.js';
import { ask, raw, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';

async function join(socket: RoomsClient, page = PAGE): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', { page })) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

const cursorOf = (batch: CursorBatch, peerId: string) =>
  batch.cursors.find((e) => e.peerId === peerId)?.cursor;
const has = (peerId: string, match: (cursor: Cursor | null | undefined) => boolean) => (batch: CursorBatch) =>
  batch.cursors.some((e) => e.peerId === peerId) && match(cursorOf(batch, peerId));
const at = (x: number) => (cursor: Cursor | null | undefined) => cursor?.x === x;

/** Moves `sender`'s cursor to x and resolves once every watcher has seen it. */
async function moveAndSee(sender: RoomsClient, joined: RoomJoined, x: number, watchers: RoomsClient[]) {
  const seen = watchers.map((w) => once(w, 'cursor:batch', has(joined.self.id, at(x))));
  sender.emit('cursor:move', { room: joined.room, cursor: { x, y: 0.5 } });
  await Promise.all(seen);
}

/**
 * A request/ack round trip. The server answers in order on one connection, so after it
 * returns, every batch the server sent this socket earlier has arrived.
 */
const drain = (socket: RoomsClient) => ask(socket, 'room:list', { page: PAGE });

describe('/rooms cursors', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.dispose());

  it('delivers a cursor to the other peer in a cursor:batch and not back to the sender', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice);
    await join(bob);
    const echoes = record<CursorBatch>(alice, 'cursor:batch');
    // The first flush after a join sends newcomers a snapshot instead; a second move is past it.
    await moveAndSee(alice, a, 0.1, [bob]);
    const cursor = { x: 0.25, y: 0.5, anchor: { path: '#main > p:nth-child(2)', fx: 0.1, fy: 0.9 } };
    const received = once<CursorBatch>(bob, 'cursor:batch');
    alice.volatile.emit('cursor:move', { room: a.room, cursor });
    expect(await received).toEqual({ room: a.room, cursors: [{ peerId: a.self.id, cursor }] });
    // Alice's copy, if any, went out in the same tick as Bob's: the round trip flushes it to us.
    await drain(alice);
    expect(echoes).toEqual([]);
  });

  it('gives each of two senders only the other one’s cursor', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const carol = await server.rooms();
    const a = await join(alice);
    const b = await join(bob);
    await join(carol);
    const atAlice = record<CursorBatch>(alice, 'cursor:batch');
    const atBob = record<CursorBatch>(bob, 'cursor:batch');
    await moveAndSee(alice, a, 0.01, [bob, carol]);
    await moveAndSee(bob, b, 0.02, [alice, carol]);
    // Both at once: in one tick or two, each sender must see only the other's cursor.
    await Promise.all([moveAndSee(alice, a, 0.1, [bob, carol]), moveAndSee(bob, b, 0.2, [alice, carol])]);
    await Promise.all([drain(alice), drain(bob)]);
    expect(atAlice.flatMap((batch) => batch.cursors.map((e) => e.peerId))).not.toContain(a.self.id);
    expect(atBob.flatMap((batch) => batch.cursors.map((e) => e.peerId))).not.toContain(b.self.id);
    expect(atAlice.some(has(b.self.id, at(0.2)))).toBe(true);
  });

  it('coalesces a burst of moves into few batches ending on the latest position', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice);
    await join(bob);
    const batches = record<CursorBatch>(bob, 'cursor:batch');
    const last = once(bob, 'cursor:batch', has(a.self.id, at(1)));
    const moves = 50;
    for (let i = 1; i <= moves; i += 1) {
      alice.emit('cursor:move', { room: a.room, cursor: { x: i / moves, y: 0.5 } });
    }
    await last;
    // One batch per move would be 50; at 60 Hz a burst sent at once spans a tick or two.
    expect(batches.length).toBeLessThan(10);
    expect(batches.every((batch) => batch.cursors.length === 1)).toBe(true);
  });

  it('sends cursor null on cursor:hide and on leave', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice);
    await join(bob);
    const isNull = (cursor: Cursor | null | undefined) => cursor === null;

    let next = once(bob, 'cursor:batch', has(a.self.id, at(0.3)));
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.3, y: 0.3 } });
    await next;
    next = once(bob, 'cursor:batch', has(a.self.id, isNull));
    alice.emit('cursor:hide', { room: a.room });
    await next;

    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.4, y: 0.4 } });
    await once(bob, 'cursor:batch', has(a.self.id, at(0.4)));
    next = once(bob, 'cursor:batch', has(a.self.id, isNull));
    await ask(alice, 'room:leave', { room: a.room });
    await next;
  });

  it('sends cursor null when the sender disconnects', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice);
    await join(bob);
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.6, y: 0.6 } });
    await once(bob, 'cursor:batch', has(a.self.id, at(0.6)));
    const gone = once(
      bob,
      'cursor:batch',
      has(a.self.id, (cursor) => cursor === null),
    );
    alice.disconnect();
    await gone;
  });

  it('gives a newcomer the current cursors once after its join', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const a = await join(alice);
    await join(bob);
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.7, y: 0.7 } });
    await once(bob, 'cursor:batch', has(a.self.id, at(0.7)));

    const carol = await server.rooms();
    const snapshot = once<CursorBatch>(carol, 'cursor:batch');
    await join(carol);
    expect(await snapshot).toEqual({
      room: a.room,
      cursors: [{ peerId: a.self.id, cursor: { x: 0.7, y: 0.7 } }],
    });
  });

  it('drops moves for a room the socket has not joined, and bad moves, and counts them', async () => {
    const alice = await server.rooms();
    const bob = await server.rooms();
    const intruder = await server.rooms();
    const a = await join(alice);
    await join(bob);
    const atBob = record<CursorBatch>(bob, 'cursor:batch');
    intruder.emit('cursor:move', { room: a.room, cursor: { x: 0.5, y: 0.5 } });
    raw(intruder).emit('cursor:move', { room: a.room, cursor: { x: 7, y: 0.5 } });
    raw(alice).emit('cursor:move', { room: a.room, cursor: { x: 'left', y: 0.5 } });
    raw(alice).emit('cursor:hide');
    await Promise.all([drain(intruder), drain(alice)]);
    expect(server.app.stats().cursorsRejected).toBe(4);

    // A valid move after them still goes through, and it is the only thing Bob saw.
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.9, y: 0.9 } });
    await once(bob, 'cursor:batch', has(a.self.id, at(0.9)));
    expect(atBob).toHaveLength(1);
  });
});
