/**
 * Event maps per namespace and direction, for typed Socket.IO servers and clients.
 * Payload types come from the zod schemas; the server still parses every inbound one.
 */
import type { Result } from './errors.js';
import type { AnnotationCollection } from './web-annotation.js';
import type {
  Note,
  NoteChanged,
  NoteCreate,
  NoteDelete,
  NoteDeleted,
  NoteDeletedAck,
  NotesChanges,
  NotesExport,
  NotesImport,
  NotesImported,
  NotesPageRequest,
  NotesSubscribe,
  NoteUpdate,
} from './notes-schemas.js';
import type {
  CursorBatch,
  CursorPaths,
  CursorMove,
  PresenceJoined,
  PresenceLeft,
  PresenceUpdate,
  PresenceUpdated,
  RoomCreate,
  RoomCreated,
  RoomJoin,
  RoomJoined,
  RoomList,
  RoomRef,
  RoomSummary,
} from './rooms-schemas.js';

export type Ack<T> = (result: Result<T>) => void;

/** Namespace `/rooms`: presence and cursors, ephemeral. */
export interface RoomsClientToServerEvents {
  'room:join': (payload: RoomJoin, ack: Ack<RoomJoined>) => void;
  'room:create': (payload: RoomCreate, ack: Ack<RoomCreated>) => void;
  'room:leave': (payload: RoomRef, ack?: Ack<null>) => void;
  'room:list': (payload: RoomList, ack: Ack<RoomSummary[]>) => void;
  'presence:update': (payload: PresenceUpdate, ack?: Ack<null>) => void;
  'cursor:move': (payload: CursorMove) => void;
  'cursor:hide': (payload: RoomRef) => void;
}

export interface RoomsServerToClientEvents {
  'presence:joined': (payload: PresenceJoined) => void;
  'presence:left': (payload: PresenceLeft) => void;
  'presence:updated': (payload: PresenceUpdated) => void;
  'cursor:batch': (payload: CursorBatch) => void;
  /** Sockets that joined with `cursorFormat: 'packed'`: see protocol/cursor-packing.ts. */
  'cursor:packed': (payload: number[]) => void;
  'cursor:paths': (payload: CursorPaths) => void;
}

/** Namespace `/notes`: persistent notes. */
export interface NotesClientToServerEvents {
  /**
   * Subscribes and answers the first page of the room's changes after `since` (all of its notes
   * without it) with the room's revision; `notes:page` fetches the rest.
   */
  'notes:subscribe': (payload: NotesSubscribe, ack: Ack<NotesChanges>) => void;
  'notes:page': (payload: NotesPageRequest, ack: Ack<NotesChanges>) => void;
  'notes:unsubscribe': (payload: RoomRef, ack?: Ack<null>) => void;
  'note:create': (payload: NoteCreate, ack: Ack<Note>) => void;
  'note:update': (payload: NoteUpdate, ack: Ack<Note>) => void;
  /** Acks `{ id, revision }`, the revision of the delete (absent on a replay of an older one). */
  'note:delete': (payload: NoteDelete, ack: Ack<NoteDeletedAck>) => void;
  /** One page of the room's notes as a W3C Web Annotation collection (`first.next` continues it). */
  'notes:export': (payload: NotesExport, ack: Ack<AnnotationCollection>) => void;
  'notes:import': (payload: NotesImport, ack: Ack<NotesImported>) => void;
}

export interface NotesServerToClientEvents {
  'note:created': (payload: NoteChanged) => void;
  'note:updated': (payload: NoteChanged) => void;
  'note:deleted': (payload: NoteDeleted) => void;
}

export const PROTOCOL_VERSION = 1;
