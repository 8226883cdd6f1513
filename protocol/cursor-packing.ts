/**
 * The packed cursor batch (`cursor:packed`): a room's cursor changes as one flat
 * array of integers, built and framed once by the server for every member of the room.
 * Objects with field names cost ~70 bytes per update on the wire; this costs ~12.
 *
 * `[roomNo, ...entries]`, where the room and its peers are small numbers the server hands
 * out (`roomNo` in the `room:join` ack, `Peer.no` in the ack and in `presence:joined`), and
 * positions are integers in 1/PACKED_SCALE (the 4 decimals the extension rounds to).
 * An entry is one of:
 *
 *     no, -1                                   cursor hidden
 *     no, x, y                                 cursor at (x, y), no element anchor
 *     -no, x, y, pathNo, fx, fy, -1            anchored to the element `paths[pathNo]`
 *     -no, x, y, pathNo, fx, fy, offset, tx, ty   ...and to a character in it
 *
 * Path numbers are announced reliably with `cursor:paths` before the first batch that
 * uses them, so a batch can stay volatile. Every member gets the same array, its own
 * entry included: a client skips its own `no`.
 */
import { fail, ok, type Result } from './errors.js';
import type { Cursor } from './rooms-schemas.js';

/** Positions and offsets inside a box are integers in 1/PACKED_SCALE. */
export const PACKED_SCALE = 10_000;
/** In place of `x`: the cursor is hidden. In place of `offset`: no character anchor. */
export const PACKED_NONE = -1;
/** Character offsets above this cannot be packed (the schema's own limit). */
const MAX_OFFSET = 1_000_000;

/** One decoded entry; `pathNo` still has to be looked up in the room's path table. */
export interface PackedEntry {
  no: number;
  cursor: PackedCursor | null;
}

export interface PackedCursor {
  x: number;
  y: number;
  anchor?: { pathNo: number; fx: number; fy: number; text?: { offset: number; fx: number; fy: number } };
}

export interface PackedBatch {
  roomNo: number;
  entries: PackedEntry[];
}

const scale = (fraction: number): number => Math.round(fraction * PACKED_SCALE);
const unscale = (value: number): number => value / PACKED_SCALE;

/**
 * Appends one entry to `out` (the server's batch under construction). `pathNo` is the
 * room's number for `cursor.anchor.path`, or null to send the cursor without its anchor.
 */
export function packEntry(out: number[], no: number, cursor: Cursor | null, pathNo: number | null): void {
  if (cursor === null) {
    out.push(no, PACKED_NONE);
    return;
  }
  const anchor = pathNo === null ? undefined : cursor.anchor;
  if (!anchor) {
    out.push(no, scale(cursor.x), scale(cursor.y));
    return;
  }
  out.push(-no, scale(cursor.x), scale(cursor.y), pathNo as number, scale(anchor.fx), scale(anchor.fy));
  const text = anchor.text;
  if (text) out.push(text.offset, scale(text.fx), scale(text.fy));
  else out.push(PACKED_NONE);
}

/** Reads a `cursor:packed` payload; anything malformed is an `invalid` error, never a throw. */
export function unpackBatch(payload: unknown): Result<PackedBatch> {
  if (!Array.isArray(payload) || payload.length === 0)
    return fail('invalid', 'expected [roomNo, ...entries]');
  const values = payload as unknown[];
  let at = 0;
  const next = (min: number, max: number): number | null => {
    const value = values[at++];
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : null;
  };
  const roomNo = next(1, Number.MAX_SAFE_INTEGER);
  if (roomNo === null) return fail('invalid', 'roomNo: expected a positive integer');
  const entries: PackedEntry[] = [];
  while (at < values.length) {
    const start = at;
    const bad = (what: string) => fail('invalid', `entry at ${start}: ${what}`);
    const signed = next(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (signed === null || signed === 0) return bad('expected a peer number');
    const no = Math.abs(signed);
    const x = next(PACKED_NONE, PACKED_SCALE);
    if (x === null) return bad('x out of range');
    if (x === PACKED_NONE) {
      if (signed < 0) return bad('a hidden cursor has no anchor');
      entries.push({ no, cursor: null });
      continue;
    }
    const y = next(0, PACKED_SCALE);
    if (y === null) return bad('y out of range');
    const cursor: PackedCursor = { x: unscale(x), y: unscale(y) };
    if (signed < 0) {
      const pathNo = next(1, Number.MAX_SAFE_INTEGER);
      const fx = next(0, PACKED_SCALE);
      const fy = next(0, PACKED_SCALE);
      const offset = next(PACKED_NONE, MAX_OFFSET);
      if (pathNo === null || fx === null || fy === null || offset === null) return bad('malformed anchor');
      cursor.anchor = { pathNo, fx: unscale(fx), fy: unscale(fy) };
      if (offset !== PACKED_NONE) {
        const tx = next(0, PACKED_SCALE);
        const ty = next(0, PACKED_SCALE);
        if (tx === null || ty === null) return bad('malformed character anchor');
        cursor.anchor.text = { offset, fx: unscale(tx), fy: unscale(ty) };
      }
    }
    entries.push({ no, cursor });
  }
  return ok({ roomNo, entries });
}

/**
 * The Cursor of a decoded entry, given the room's path table. An unknown path number
 * (a table announcement this client missed) drops the anchor: the cursor still lands on
 * its document position.
 */
export function cursorFromPacked(
  packed: PackedCursor,
  pathOf: (pathNo: number) => string | undefined,
): Cursor {
  const { x, y, anchor } = packed;
  const path = anchor ? pathOf(anchor.pathNo) : undefined;
  if (!anchor || path === undefined) return { x, y };
  const { fx, fy, text } = anchor;
  return { x, y, anchor: text ? { path, fx, fy, text } : { path, fx, fy } };
}

/**
 * The Socket.IO room of a room's members that take packed batches. No room id can take
 * it: a room id starts with a normalised channel, which never holds whitespace
 * (normalizeChannel), and this name's first `|`-separated part is `packed ` + a channel.
 * (`packed|<room>` could: channel `packed`, page `<room>` when the room's channel is a URL.)
 */
export function packedChannelOf(room: string): string {
  return `packed ${room}`;
}
