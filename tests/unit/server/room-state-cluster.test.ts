// RoomState in several-node mode: numbers handed in by the cluster, paths numbered through
// the cluster, other nodes' batches merged into this node's flush, and both formats flushed.
import { describe, expect, it } from 'vitest';
import { ClusterRoomState } from '../../../server/cluster/cluster-room-state.js';

const ADDRESS = { page: 'https://example.com/', channel: 'public' };
const ROOM = 'public|https://example.com/';
const peer = (id: string) => ({ id, name: id, color: '#112233', idle: false });

/** A cluster-mode state whose path requests are recorded, not answered. */
function clusterState() {
  const asked: Array<[string, string]> = [];
  const state = new ClusterRoomState(
    () => undefined,
    () => undefined,
    Infinity,
    (room, path) => asked.push([room, path]),
  );
  return { state, asked };
}

describe('RoomState with several nodes', () => {
  it('uses the room and peer numbers the cluster gives', () => {
    const { state } = clusterState();
    const joined = state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, 'r', { peerNo: 7, roomNo: 42 });
    expect(joined.self.no).toBe(7);
    expect(joined.roomNo).toBe(42);
  });

  it('asks the cluster for a new path, sends the cursor without anchor meanwhile, then with the number', () => {
    const { state, asked } = clusterState();
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, 'r', { peerNo: 1, roomNo: 5 });
    state.takeFlush();
    const cursor = { x: 0.5, y: 0.5, anchor: { path: 'main > p', fx: 0.25, fy: 0.75 } };
    state.setCursor(ROOM, 'a', cursor, 0);
    const [first] = state.takeFlush(1);
    expect(asked).toEqual([[ROOM, 'main > p']]);
    expect(first?.batches.packed?.batch).toEqual([5, 1, 5000, 5000]);
    state.addPath(ROOM, 'main > p', 9);
    state.setCursor(ROOM, 'a', cursor, 2);
    const [second] = state.takeFlush(3);
    expect(second?.batches.packed?.freshPaths).toEqual([[9, 'main > p']]);
    expect(second?.batches.packed?.batch).toEqual([5, -1, 5000, 5000, 9, 2500, 7500, -1]);
  });

  it("merges other nodes' entries into the next flush, for the formats this node has sockets of", () => {
    const { state } = clusterState();
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, 'r', { peerNo: 1, roomNo: 5 });
    state.takeFlush();
    state.addRemote(ROOM, [2, 100, 200], [{ peerId: 'b', cursor: { x: 0.1, y: 0.2 } }]);
    const [flush] = state.takeFlush();
    // No objects socket here: the objects entries are dropped, the packed ones kept.
    expect(flush?.batches.packed?.remote).toEqual([2, 100, 200]);
    expect(flush?.batches.objects?.remote).toEqual([]);
    expect(state.takeFlush()).toEqual([]);
  });

  it("flushes both formats although this node's sockets take one: other nodes may hold the other", () => {
    const { state } = clusterState();
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, 'r', { peerNo: 1, roomNo: 5 });
    state.takeFlush();
    state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5 }, 0);
    const [flush] = state.takeFlush(1);
    expect(flush?.batches.objects?.changed).toEqual([{ peerId: 'a', cursor: { x: 0.5, y: 0.5 } }]);
    expect(flush?.batches.packed?.batch).toEqual([5, 1, 5000, 5000]);
    // Encoded for the other nodes only: nothing of it is for a socket here.
    expect(flush?.batches.objects?.here).toBe(false);
    expect(flush?.batches.packed?.here).toBe(true);
  });

  it('leaves out a format no node has sockets of, once Redis says so, and flushes both after a join elsewhere', () => {
    const { state } = clusterState();
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, 'r', { peerNo: 1, roomNo: 5 });
    state.takeFlush();
    state.setRemoteFormats(ROOM, 'pp');
    state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5 }, 0);
    const [flush] = state.takeFlush(1);
    expect(flush?.batches.objects).toBeUndefined();
    expect(flush?.batches.packed?.batch).toEqual([5, 1, 5000, 5000]);
    state.setRemoteFormats(ROOM, null);
    state.setCursor(ROOM, 'a', { x: 0.25, y: 0.5 }, 2);
    expect(state.takeFlush(3)[0]?.batches.objects?.changed).toEqual([
      { peerId: 'a', cursor: { x: 0.25, y: 0.5 } },
    ]);
  });
});
