/**
 * Socket.IO connection state recovery for /notes (issue 5): a client that drops for a
 * short while gets, on reconnect, the note events broadcast to its rooms meanwhile.
 *
 * Socket.IO replays only packets newer than the last one the client received (its
 * "offset"), and gives up when that offset has aged out of its buffer or when the client
 * never received any event. A quiet room is the common case, so two fixes:
 * - every /notes socket gets one `notes:ready` event right after connecting, so it always
 *   has an offset to come back with;
 * - a known, unexpired session whose offset is older than the buffer gets every buffered
 *   packet of its rooms: the client received none of them, or its offset would be newer.
 *
 * Since issue 12 this is a shortcut, not what keeps clients correct: a client subscribes
 * again with the room revision it has (`since`) and gets what it missed from the store, on
 * any node and after any restart, which a session kept in one process's memory cannot give.
 * It stays because it is part of the documented v1 contract and spares a client on the same
 * node a round trip; several-node mode (Redis adapter) is where it goes.
 */
import type { Namespace } from 'socket.io';
import { Adapter, SessionAwareAdapter, type BroadcastOptions } from 'socket.io-adapter';

/**
 * The adapter of each namespace, for the Server's `adapter` option: the session-aware one,
 * which buffers every broadcast for {@link MAX_DISCONNECTION_MS}, for /notes only. /rooms
 * presence and cursors are rebuilt by a fresh join after a reconnect, so buffering their
 * broadcasts (and keeping sessions) would only cost memory (issue 6); a /rooms client that
 * comes back gets a new socket. Socket.IO calls this with `new`, so it is no arrow function.
 */
export function notesOnlyRecovery(nsp: Namespace): Adapter {
  return nsp.name === '/notes' ? new CompactSessionAdapter(nsp) : new Adapter(nsp);
}

/** How long a dropped socket's session and the broadcasts it may miss are kept. */
export const MAX_DISCONNECTION_MS = 2 * 60 * 1000;

interface Session {
  disconnectedAt: number;
  rooms: string[];
}

interface StoredPacket {
  id: string;
  opts: { rooms: Set<string>; except: Set<string> };
  data: unknown[];
}

/** The fields of socket.io-adapter's SessionAwareAdapter this module reads. */
interface SessionAdapter {
  sessions: Map<string, Session>;
  packets: StoredPacket[];
  restoreSession(pid: string, offset: string): Promise<unknown> | null;
}

/** The exclusions of every stored packet that excludes nobody; never changed once stored. */
const NOBODY = new Set<string>();

/**
 * The session-aware adapter with smaller buffer entries. It keeps every /notes broadcast
 * for {@link MAX_DISCONNECTION_MS}, and a `notes:ready` for every socket, so an entry's
 * size is idle memory per connection (issue 6). Only an entry's rooms, exclusions and
 * data are read again (restoreSession, replayStaleSessions): its flags are dropped, an
 * empty exclusion set is shared, and the data array (grown by the offset push) is copied
 * to its length.
 */
class CompactSessionAdapter extends SessionAwareAdapter {
  override broadcast(packet: { data: unknown[] }, opts: BroadcastOptions): void {
    super.broadcast(packet, opts);
    const { packets } = this as unknown as SessionAdapter;
    const stored = packets[packets.length - 1];
    // Packets with an ack or the volatile flag are not stored.
    if (stored?.opts !== opts) return;
    stored.opts = { rooms: opts.rooms, except: opts.except?.size ? opts.except : NOBODY };
    stored.data = stored.data.slice();
  }
}

/** socket.io-adapter's own rule: to one of the session's rooms and not to an excluded one. */
function addressedTo(rooms: string[], opts: StoredPacket['opts']): boolean {
  const included = opts.rooms.size === 0 || rooms.some((room) => opts.rooms.has(room));
  return included && rooms.every((room) => !opts.except.has(room));
}

/** Makes the namespace's adapter replay to sessions whose offset aged out (see above). */
export function replayStaleSessions(nsp: Namespace): void {
  const adapter = nsp.adapter as unknown as SessionAdapter;
  if (!(adapter.sessions instanceof Map) || !Array.isArray(adapter.packets)) {
    throw new Error('connection state recovery needs the session-aware adapter');
  }
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const restored = await restore(pid, offset);
    if (restored) return restored;
    const session = adapter.sessions.get(pid);
    if (!session || session.disconnectedAt + MAX_DISCONNECTION_MS < Date.now()) return null;
    if (adapter.packets.some((packet) => packet.id === offset)) return null;
    const missedPackets = adapter.packets
      .filter((packet) => addressedTo(session.rooms, packet.opts))
      .map((packet) => packet.data);
    return { ...session, missedPackets };
  };
}
