/**
 * Every event the server sends, parsed and handed to the module it concerns: presence to
 * room-membership.ts, cursors (packed batches and their element paths) straight to the
 * room's tabs, note changes to notes-sync.ts. Anything malformed, or for a room we are not
 * in, is dropped. The worker asks for `cursor:packed` batches only (room-membership.ts), so
 * the `cursor:batch` object format is never sent to it.
 */
import {
  CursorPaths,
  NoteChanged,
  NoteDeleted,
  PresenceJoined,
  PresenceLeft,
  PresenceUpdated,
} from '../../protocol/index.js';
import type { NotesSocket, RoomsSocket } from './connection.js';
import type { NotesSync } from './notes-sync.js';
import { joined } from './open-rooms.js';
import { learnPaths, readPackedBatch } from './packed-cursors.js';
import type { RoomMembership } from './room-membership.js';
import type { TabSessions } from './tab-sessions.js';

export interface InboundTargets {
  sessions: TabSessions;
  membership: RoomMembership;
  notes: NotesSync;
}

/** Attaches the handlers to a new connection's sockets (connection.ts calls this once per open). */
export function routeInbound(rooms: RoomsSocket, notes: NotesSocket, to: InboundTargets): void {
  const { sessions, membership } = to;

  rooms.on('presence:joined', (raw) => {
    const event = PresenceJoined.safeParse(raw);
    if (event.success) membership.peerChanged(event.data);
  });
  rooms.on('presence:updated', (raw) => {
    const event = PresenceUpdated.safeParse(raw);
    if (event.success) membership.peerChanged(event.data);
  });
  rooms.on('presence:left', (raw) => {
    const event = PresenceLeft.safeParse(raw);
    if (event.success) membership.peerLeft(event.data);
  });

  rooms.on('cursor:paths', (raw) => {
    const event = CursorPaths.safeParse(raw);
    if (!event.success) return;
    const membershipOf = joined(sessions.byRoomId(event.data.room));
    if (membershipOf) learnPaths(membershipOf, event.data);
  });
  rooms.on('cursor:packed', (raw) => {
    const read = readPackedBatch(raw, sessions.rooms.values());
    if (read?.entry.room && read.cursors.length > 0) {
      sessions.broadcast(read.entry, { type: 'cursors', room: read.entry.room, cursors: read.cursors });
    }
  });

  notes.on('note:created', (raw) => {
    const event = NoteChanged.safeParse(raw);
    if (event.success) to.notes.noteChanged(event.data);
  });
  notes.on('note:updated', (raw) => {
    const event = NoteChanged.safeParse(raw);
    if (event.success) to.notes.noteChanged(event.data);
  });
  notes.on('note:deleted', (raw) => {
    const event = NoteDeleted.safeParse(raw);
    if (event.success) to.notes.noteDeleted(event.data);
  });
}
