/**
 * Reads `cursor:packed` batches (protocol/cursor-packing.ts) for the rooms this worker is
 * in: room and peer numbers back to ids, path numbers back to paths, and our own entry
 * dropped (the server sends one array to the whole room, us included).
 */
import { cursorFromPacked, unpackBatch, type CursorEntry, type CursorPaths } from '../../protocol/index.js';
import { joined, type Joined, type OpenRoom } from './open-rooms.js';

/** Remembers the path numbers (and a new room number) the server announced for a room we are in. */
export function learnPaths(membership: Joined, { paths, roomNo }: CursorPaths): void {
  for (const [no, path] of paths) membership.paths.set(no, path);
  if (roomNo !== undefined) membership.roomNo = roomNo;
}

/** The joined room a batch is for and its cursors (`CursorEntry`, as tabs take them); null for anything else. */
export function readPackedBatch(
  raw: unknown,
  rooms: Iterable<OpenRoom>,
): { entry: OpenRoom; cursors: CursorEntry[] } | null {
  const batch = unpackBatch(raw);
  if (!batch.ok) return null;
  let found: { entry: OpenRoom; membership: Joined } | null = null;
  for (const candidate of rooms) {
    const membership = joined(candidate);
    if (membership && membership.roomNo === batch.value.roomNo) found = { entry: candidate, membership };
  }
  if (!found) return null;
  const { entry, membership } = found;
  const peerIds = new Map<number, string>();
  for (const peer of membership.peers.values()) if (peer.no !== undefined) peerIds.set(peer.no, peer.id);
  const cursors: CursorEntry[] = [];
  for (const { no, cursor } of batch.value.entries) {
    const peerId = peerIds.get(no);
    // Our own number, or a peer whose presence:left already came: nothing to show.
    if (peerId === undefined) continue;
    const paths = membership.paths;
    cursors.push({ peerId, cursor: cursor && cursorFromPacked(cursor, (pathNo) => paths.get(pathNo)) });
  }
  return { entry, cursors };
}
