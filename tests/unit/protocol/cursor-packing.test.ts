// The packed cursor batch: what the server packs is what a client unpacks, and nothing malformed gets through.
import { describe, expect, it } from 'vitest';
import {
  cursorFromPacked,
  packedChannelOf,
  packEntry,
  parseRoomId,
  unpackBatch,
  type Cursor,
} from '../../../protocol/index.js';

const anchored: Cursor = {
  x: 0.25,
  y: 0.5,
  anchor: { path: '#main>p:nth-of-type(3)', fx: 0.1234, fy: 1, text: { offset: 42, fx: 0.5, fy: 0.75 } },
};

describe('packed cursor batches', () => {
  it('round-trips plain, hidden and anchored cursors at 1/10000 precision', () => {
    const batch = [7];
    packEntry(batch, 1, { x: 0.12344, y: 0.98765 }, null);
    packEntry(batch, 2, null, null);
    packEntry(batch, 3, anchored, 5);
    packEntry(batch, 4, { ...anchored, anchor: { path: 'body', fx: 0, fy: 0.5 } }, 6);
    // The anchor is dropped when the server has no path number for it.
    packEntry(batch, 5, anchored, null);
    expect(batch).toEqual([
      7, 1, 1234, 9877, 2, -1, -3, 2500, 5000, 5, 1234, 10000, 42, 5000, 7500, -4, 2500, 5000, 6, 0, 5000, -1,
      5, 2500, 5000,
    ]);

    const result = unpackBatch(JSON.parse(JSON.stringify(batch)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.roomNo).toBe(7);
    const paths = new Map([[5, '#main>p:nth-of-type(3)']]);
    const cursors = result.value.entries.map((entry) => ({
      no: entry.no,
      cursor: entry.cursor && cursorFromPacked(entry.cursor, (no) => paths.get(no)),
    }));
    expect(cursors).toEqual([
      { no: 1, cursor: { x: 0.1234, y: 0.9877 } },
      { no: 2, cursor: null },
      { no: 3, cursor: anchored },
      // Path 6 was never announced: the cursor keeps its document position only.
      { no: 4, cursor: { x: 0.25, y: 0.5 } },
      { no: 5, cursor: { x: 0.25, y: 0.5 } },
    ]);
  });

  it('spends at most 16 bytes of JSON on a plain cursor update', () => {
    const batch = [12];
    for (let no = 1; no <= 10; no += 1) packEntry(batch, no, { x: 0.9999, y: 0.8765 }, null);
    const perUpdate = (JSON.stringify(batch).length - JSON.stringify([12]).length) / 10;
    expect(perUpdate).toBeLessThanOrEqual(16);
  });

  it.each([
    ['not an array', { room: 1 }],
    ['empty', []],
    ['room number 0', [0, 1, 5, 5]],
    ['peer number 0', [1, 0, 5, 5]],
    ['fractional number', [1, 1, 0.5, 5]],
    ['x above the scale', [1, 1, 10001, 5]],
    ['missing y', [1, 1, 5]],
    ['string in place of a number', [1, 1, '5', 5]],
    ['hidden cursor with an anchor flag', [1, -1, -1]],
    ['truncated anchor', [1, -1, 5, 5, 1, 5]],
    ['truncated character anchor', [1, -1, 5, 5, 1, 5, 5, 3, 5]],
    ['negative offset other than none', [1, -1, 5, 5, 1, 5, 5, -2]],
  ])('rejects a malformed batch: %s', (_label, payload) => {
    const result = unpackBatch(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid');
  });

  it('names the packed members channel so that it never parses as a room id', () => {
    const room = 'public|https://example.com/';
    expect(parseRoomId(room)).not.toBeNull();
    expect(parseRoomId(packedChannelOf(room))).toBeNull();
  });
});
