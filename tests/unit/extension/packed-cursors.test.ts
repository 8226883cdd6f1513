/**
 * The worker's reading of packed batches when the server renumbers a room (several nodes,
 * after a Redis outage): `cursor:paths` with a `roomNo` moves the room to it.
 */
import { describe, expect, it } from 'vitest';
import { learnPaths, readPackedBatch } from '../../../extension/background/packed-cursors.js';
import type { OpenRoom } from '../../../extension/background/open-rooms.js';
import { packEntry } from '../../../protocol/index.js';

const ROOM = 'public|https://example.com/a';

function openRoom(roomNo: number): OpenRoom {
  return {
    key: ROOM,
    page: 'https://example.com/a',
    channel: 'public',
    inviteKey: null,
    invite: null,
    room: ROOM,
    tabs: new Set([1]),
    membership: {
      state: 'joined',
      generation: 1,
      self: { id: 'self-id-aaaaaaaa', name: 'Me', color: '#000000', idle: false, no: 1 },
      peers: new Map([
        ['peer-id-bbbbbbbb', { id: 'peer-id-bbbbbbbb', name: 'Bo', color: '#ffffff', idle: false, no: 2 }],
      ]),
      roomNo,
      paths: new Map(),
    },
  } as unknown as OpenRoom;
}

const batchOf = (roomNo: number) => {
  const out = [roomNo];
  packEntry(out, 2, { x: 0.5, y: 0.25 }, null);
  return out;
};

describe('packed batches after a renumbered room', () => {
  it('reads batches by the number cursor:paths gave, no longer by the join', () => {
    const entry = openRoom(1_073_741_825);
    expect(readPackedBatch(batchOf(7), [entry])).toBeNull();
    if (entry.membership.state !== 'joined') throw new Error('not joined');
    learnPaths(entry.membership, { room: ROOM, paths: [], roomNo: 7 });
    expect(readPackedBatch(batchOf(7), [entry])?.cursors).toEqual([
      { peerId: 'peer-id-bbbbbbbb', cursor: { x: 0.5, y: 0.25 } },
    ]);
    expect(readPackedBatch(batchOf(1_073_741_825), [entry])).toBeNull();
  });

  it('keeps the number when cursor:paths has none', () => {
    const entry = openRoom(3);
    if (entry.membership.state !== 'joined') throw new Error('not joined');
    learnPaths(entry.membership, { room: ROOM, paths: [[1, 'body > p']] });
    expect(readPackedBatch(batchOf(3), [entry])?.cursors).toHaveLength(1);
  });
});
