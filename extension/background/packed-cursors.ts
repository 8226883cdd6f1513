/**
 * Reads `cursor:packed` batches (protocol/cursor-packing.ts) for the rooms this worker is
 * in: room and peer numbers back to ids, path numbers back to paths, and our own entry
 * dropped (the server sends one array to the whole room, us included).
 */
import { cursorFromPacked, unpackBatch, type CursorEntry, type CursorPaths } from '../../protocol/index.js';
import type { RoomEntry } from './tab-rooms.js';

/** Remembers the path numbers the server announced for a room we are in. */
export function learnPaths(entry: RoomEntry, { paths }: CursorPaths): void {
  for (const [no, path] of paths) entry.paths.set(no, path);
}

/** The joined room a batch is for and its cursors as `cursor:batch` entries; null for anything else. */
export function readPackedBatch(
  raw: unknown,
  rooms: Iterable<RoomEntry>,
): { entry: RoomEntry; cursors: CursorEntry[] } | null {
  const batch = unpackBatch(raw);
  if (!batch.ok) return null;
  let entry: RoomEntry | null = null;
  for (const candidate of rooms) {
    if (candidate.joined && candidate.roomNo === batch.value.roomNo) entry = candidate;
  }
  if (!entry) return null;
  const peerIds = new Map<number, string>();
  for (const peer of entry.peers.values()) if (peer.no !== undefined) peerIds.set(peer.no, peer.id);
  const cursors: CursorEntry[] = [];
  for (const { no, cursor } of batch.value.entries) {
    const peerId = peerIds.get(no);
    // Our own number, or a peer whose presence:left already came: nothing to show.
    if (peerId === undefined) continue;
    const paths = entry.paths;
    cursors.push({ peerId, cursor: cursor && cursorFromPacked(cursor, (pathNo) => paths.get(pathNo)) });
  }
  return { entry, cursors };
}
