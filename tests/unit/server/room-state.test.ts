// RoomState bookkeeping that needs a clock or many members: presence TTL, quiet keep-alives, large rooms, path numbers.
import { describe, expect, it } from 'vitest';
import { unpackBatch } from '../../../protocol/index.js';
import { MAX_ROOM_PATH_CHARS, MAX_ROOM_PATHS } from '../../../server/cursors/encode-packed.js';
import {
  flushEvery,
  LARGE_ROOM_MEMBERS,
  RoomState,
  type CursorFlush,
} from '../../../server/rooms/room-state.js';

const ADDRESS = { page: 'https://example.com/', channel: 'public' };
const ROOM = 'public|https://example.com/';
const peer = (id: string) => ({ id, name: id, color: '#112233', idle: false });

describe('RoomState', () => {
  it('reports memberships not heard of within the TTL, and any message about the room refreshes them', () => {
    const state = new RoomState(() => undefined);
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'objects', 1_000);
    state.join(ROOM, ADDRESS, 's2', peer('b'), 'objects', 1_000);
    expect(state.expired(20_000, 30_000)).toEqual([]);
    // s1 keeps talking (keep-alive presence:update or cursors go through peerIn); s2 went silent.
    expect(state.peerIn(ROOM, 's1', 25_000)).toBe('a');
    expect(state.expired(32_000, 30_000)).toEqual([{ room: ROOM, socketId: 's2' }]);
    expect(state.leave(ROOM, 's2')).toEqual({ room: ROOM, peerId: 'b', departed: true });
    expect(state.expired(32_000, 30_000)).toEqual([]);
  });

  it('tells a real presence change from a keep-alive that changes nothing', () => {
    const state = new RoomState(() => undefined);
    state.join(ROOM, ADDRESS, 's1', peer('a'));
    expect(state.updatePeer(ROOM, 'a', { idle: false })?.changed).toBe(false);
    expect(state.updatePeer(ROOM, 'a', {})?.changed).toBe(false);
    expect(state.updatePeer(ROOM, 'a', { idle: true })).toEqual({
      peer: { ...peer('a'), no: 1, idle: true },
      changed: true,
    });
  });

  it('numbers each element path once per room, and sends cursors on paths past the cap without their anchor', () => {
    const state = new RoomState(() => undefined);
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed');
    state.takeFlush();
    const announced: Array<[number, string]> = [];
    const entries = () =>
      state.takeFlush().flatMap((flush) => {
        announced.push(...(flush.batches.packed?.freshPaths ?? []));
        const batch = unpackBatch(flush.batches.packed?.batch ?? []);
        return batch.ok ? batch.value.entries : [];
      });
    const at = (path: string) => ({ x: 0.5, y: 0.5, anchor: { path, fx: 0.25, fy: 0.75 } });

    state.setCursor(ROOM, 'a', at('#p0'));
    expect(entries()[0]?.cursor?.anchor?.pathNo).toBe(1);
    state.setCursor(ROOM, 'a', at('#p0'));
    expect(entries()[0]?.cursor?.anchor?.pathNo).toBe(1);
    for (let i = 1; i < MAX_ROOM_PATHS; i += 1) {
      state.setCursor(ROOM, 'a', at(`#p${i}`));
      entries();
    }
    expect(announced).toHaveLength(MAX_ROOM_PATHS);
    expect(new Set(announced.map(([no]) => no)).size).toBe(MAX_ROOM_PATHS);

    // The table is full: a new element goes out as a plain position, and nothing is announced.
    state.setCursor(ROOM, 'a', at('#one-too-many'));
    expect(entries()[0]?.cursor).toEqual({ x: 0.5, y: 0.5 });
    expect(announced).toHaveLength(MAX_ROOM_PATHS);
  });

  it("caps the characters of a room's path table, not only the number of paths", () => {
    const state = new RoomState(() => undefined);
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed');
    state.takeFlush();
    const announced: Array<[number, string]> = [];
    // Paths of the longest legal length (512), each new: the table fills by characters first.
    for (let i = 0; i < MAX_ROOM_PATHS; i += 1) {
      const path = `#p${i}-`.padEnd(512, 'x');
      state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5, anchor: { path, fx: 0.25, fy: 0.75 } });
      for (const flush of state.takeFlush()) announced.push(...(flush.batches.packed?.freshPaths ?? []));
    }
    const chars = announced.reduce((sum, [, path]) => sum + path.length, 0);
    expect(chars).toBeLessThanOrEqual(MAX_ROOM_PATH_CHARS);
    expect(announced).toHaveLength(Math.floor(MAX_ROOM_PATH_CHARS / 512));
    // A short new path still fits as long as characters are left; none are.
    state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5, anchor: { path: 'p', fx: 0.25, fy: 0.75 } });
    expect(state.takeFlush()[0]?.batches.packed?.freshPaths).toEqual([]);
  });

  it('encodes only the cursor formats that some member of the room takes', () => {
    const state = new RoomState(() => undefined);
    const formats = () => state.takeFlush().map((flush) => Object.keys(flush.batches).sort());
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed');
    state.join(ROOM, ADDRESS, 's2', peer('b'), 'packed');
    expect(formats()).toEqual([['packed']]);
    state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5 });
    expect(formats()).toEqual([['packed']]);
    // A third-party client joins with objects: from now on both formats are built.
    state.join(ROOM, ADDRESS, 's3', peer('c'), 'objects');
    expect(formats()).toEqual([['objects', 'packed']]);
    // b switches to objects, then a leaves: no packed member is left, so no packed batch.
    state.join(ROOM, ADDRESS, 's2', peer('b'), 'objects');
    state.leave(ROOM, 's1');
    const [flush] = state.takeFlush();
    expect(Object.keys(flush!.batches)).toEqual(['objects']);
    expect(flush!.batches.objects?.changed).toEqual([{ peerId: 'a', cursor: null }]);
  });

  it('counts the rooms of each remote address across its sockets', () => {
    const state = new RoomState(() => undefined);
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0, '203.0.113.7');
    state.join('other|https://example.com/', ADDRESS, 's2', peer('b'), 'packed', 0, '203.0.113.7');
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'objects', 0, '203.0.113.7');
    state.join(ROOM, ADDRESS, 's3', peer('c'), 'packed', 0, '198.51.100.1');
    expect(state.roomsOfRemote('203.0.113.7')).toBe(2);
    state.leaveAll('s1');
    expect(state.roomsOfRemote('203.0.113.7')).toBe(1);
    state.leave('other|https://example.com/', 's2');
    expect(state.roomsOfRemote('203.0.113.7')).toBe(0);
    expect(state.roomsOfRemote('198.51.100.1')).toBe(1);
  });

  it('flushes a room early rather than merge away a position that was never sent', () => {
    const early: CursorFlush[] = [];
    const state = new RoomState(
      () => undefined,
      (flush) => early.push(flush),
      16,
    );
    state.join(ROOM, ADDRESS, 's1', peer('a'), 'packed', 0);
    state.join(ROOM, ADDRESS, 's2', peer('b'), 'packed', 0);
    state.takeFlush(0);
    const xs = (flushes: CursorFlush[]) =>
      flushes.flatMap((flush) => {
        const batch = unpackBatch(flush.batches.packed?.batch ?? []);
        return batch.ok ? batch.value.entries.map((entry) => entry.cursor?.x) : [];
      });

    // The room's tick is late: a's second position arrives before its first went out.
    state.setCursor(ROOM, 'a', { x: 0.1, y: 0.5 }, 20);
    state.setCursor(ROOM, 'a', { x: 0.2, y: 0.5 }, 30);
    expect(xs(early)).toEqual([0.1]);
    expect(xs(state.takeFlush(31))).toEqual([0.2]);

    // Less than a tick after a flush, a sender faster than the tick is merged as before.
    state.setCursor(ROOM, 'a', { x: 0.3, y: 0.5 }, 33);
    state.setCursor(ROOM, 'a', { x: 0.4, y: 0.5 }, 35);
    expect(xs(early)).toEqual([0.1]);
    expect(xs(state.takeFlush(40))).toEqual([0.4]);

    // One early flush between two ticks: a tick late again and again (an overloaded
    // server) merges into big batches rather than flushing on every move.
    state.setCursor(ROOM, 'a', { x: 0.5, y: 0.5 }, 60);
    state.setCursor(ROOM, 'a', { x: 0.6, y: 0.5 }, 80);
    state.setCursor(ROOM, 'a', { x: 0.7, y: 0.5 }, 100);
    expect(xs(early)).toEqual([0.1, 0.5]);
    expect(xs(state.takeFlush(101))).toEqual([0.7]);
  });

  it('flushes a small room every tick and a very large room less often, without losing its changes', () => {
    expect(flushEvery(2)).toBe(1);
    expect(flushEvery(LARGE_ROOM_MEMBERS)).toBe(1);
    expect(flushEvery(LARGE_ROOM_MEMBERS * 3)).toBe(3);

    const state = new RoomState(() => undefined);
    const members = LARGE_ROOM_MEMBERS * 3;
    for (let i = 0; i < members; i += 1) state.join(ROOM, ADDRESS, `s${i}`, peer(`p${i}`));
    const flushedTicks: number[] = [];
    for (let tick = 0; tick < 9; tick += 1) {
      state.setCursor(ROOM, `p${tick % members}`, { x: 0.5, y: 0.5 });
      if (state.takeFlush().length > 0) flushedTicks.push(tick);
      // Skipped ticks keep the room pending, so the flusher's timer keeps running.
      else expect(state.hasPending()).toBe(true);
    }
    expect(flushedTicks).toEqual([0, 3, 6]);
  });
});
