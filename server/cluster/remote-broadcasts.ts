/**
 * What the rooms namespace does with a broadcast another node sent to one of its rooms
 * (several-node mode), before the adapter would deliver it:
 * - cursor batches are taken over: their entries join this node's next flush of the room,
 *   so each socket gets one frame per tick however many nodes its room spans;
 * - `presence:joined` and `presence:left` are noted (what this node's people were told), and
 *   a join makes this node send its members' cursors again: the newcomer has none of them.
 * Other nodes are trusted like Redis itself; their payloads are only checked for shape.
 */
import type { CursorEntry } from '../../protocol/index.js';
import { cursorChannelOf, roomOfCursorChannel } from '../cursors/cursor-encoder.js';
import type { ClusterRoomState } from './cluster-room-state.js';
import type { RedisPresenceStore } from './redis-presence.js';
import type { RemoteBroadcast } from './sharded-adapter.js';

type Payload = { room?: unknown; peerId?: unknown; peer?: { id?: unknown }; cursors?: unknown } | undefined;

/** Answers true when the broadcast was taken over (the adapter must not deliver it). */
export function remoteBroadcasts(
  nspName: string,
  state: ClusterRoomState,
  presence: RedisPresenceStore,
): (broadcast: RemoteBroadcast) => boolean {
  return ({ nsp, rooms, data }) => {
    if (nsp !== nspName) return false;
    const event = data[0];
    // Each format's batch goes to that format's channel alone (cursor-encoder.ts cursorChannelOf).
    if (event === 'cursor:packed') {
      const batch = data[1];
      const room = rooms.length === 1 && rooms[0] ? roomOfCursorChannel(rooms[0], 'packed') : null;
      if (room === null || !Array.isArray(batch)) return false;
      state.addRemote(room, (batch as number[]).slice(1), null);
      return true;
    }
    const payload = data[1] as Payload;
    const room = payload?.room;
    if (typeof room !== 'string') return false;
    if (event === 'cursor:batch') {
      if (
        rooms.length !== 1 ||
        rooms[0] !== cursorChannelOf(room, 'objects') ||
        !Array.isArray(payload?.cursors)
      )
        return false;
      state.addRemote(room, null, payload.cursors as CursorEntry[]);
      return true;
    }
    if (event === 'presence:left' && typeof payload?.peerId === 'string')
      presence.heard(room, payload.peerId, false);
    if (event === 'presence:joined' && typeof payload?.peer?.id === 'string') {
      presence.heard(room, payload.peer.id, true);
      // Its format is not known here yet: flush both until Redis says.
      state.setRemoteFormats(room, null);
      presence.learnFormats(room);
      state.resendCursors(room);
    }
    return false;
  };
}
