// Several nodes: a socket gets its own node's and the other node's cursor changes together,
// one frame per tick, in both formats. The other node's batch is merged into this node's
// flush (remote-broadcasts.ts, RoomState#addRemote), not relayed as a second frame.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackBatch, type CursorBatch } from '../../protocol/index.js';
import { join, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import { once } from '../support/wait.js';

/** Who has an entry in a frame: peer ids for objects, peer numbers for packed. */
function sendersOf(payload: unknown): Set<string | number> {
  if (Array.isArray(payload)) {
    const batch = unpackBatch(payload as number[]);
    return new Set(batch.ok ? batch.value.entries.map((entry) => entry.no) : []);
  }
  return new Set((payload as CursorBatch).cursors.map((entry) => entry.peerId));
}

describe('several nodes: cursor frames', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster.dispose());

  it.each(['objects', 'packed'] as const)(
    "puts the other node's %s cursors in the same frame as this node's",
    async (format) => {
      const page = `${PAGE}?t=frames-${format}`;
      const alice = await cluster.a.rooms();
      const bob = await cluster.b.rooms();
      const carol = await cluster.b.rooms();
      const a = await join(alice, format, page);
      const b = await join(bob, format, page);
      await join(carol, format, page);
      const event = format === 'packed' ? 'cursor:packed' : 'cursor:batch';
      const both = format === 'packed' ? [a.self.no, b.self.no] : [a.self.id, b.self.id];
      // Alice (node A) and Bob (node B) keep moving; Carol (node B) would never get a frame
      // holding both if each node's changes reached her in a frame of their own.
      for (let round = 1; round <= 100; round += 1) {
        const frame = once(carol, event);
        alice.emit('cursor:move', { room: a.room, cursor: { x: round / 1000, y: 0.25 } });
        bob.emit('cursor:move', { room: b.room, cursor: { x: round / 1000, y: 0.75 } });
        const senders = sendersOf(await frame);
        if (both.every((peer) => peer !== undefined && senders.has(peer))) return;
      }
      throw new Error("no frame held both nodes' changes in 100 rounds");
    },
  );

  it('encodes a format no socket of this node takes for the node whose sockets take it', async () => {
    const page = `${PAGE}?t=mixed`;
    const alice = await cluster.a.rooms();
    const bob = await cluster.b.rooms();
    const a = await join(alice, 'packed', page);
    const b = await join(bob, 'objects', page);
    const atBob = once<CursorBatch>(bob, 'cursor:batch', (batch) =>
      batch.cursors.some((entry) => entry.peerId === a.self.id && entry.cursor?.x === 0.5),
    );
    alice.emit('cursor:move', { room: a.room, cursor: { x: 0.5, y: 0.5 } });
    await atBob;
    const atAlice = once<number[]>(alice, 'cursor:packed', (payload) =>
      sendersOf(payload).has(b.self.no ?? -1),
    );
    bob.emit('cursor:move', { room: b.room, cursor: { x: 0.5, y: 0.5 } });
    expect(sendersOf(await atAlice)).toEqual(new Set([b.self.no]));
  });
});
