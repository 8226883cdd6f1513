/**
 * Namespace /notes: subscribing to a room's notes and changing them. Every write is
 * acked only after the store committed it, and broadcast to the room's other sockets
 * (the sender learns the outcome from its ack).
 */
import { createHash } from 'node:crypto';
import {
  collectionToNotes,
  fail,
  ImportedCollection,
  invalid,
  notesToCollection,
  NotesImport,
  NoteCreate,
  NoteDelete,
  NotesSubscribe,
  NoteUpdate,
  ok,
  parseRoomId,
  RoomRef,
  type AnnotationCollection,
  type Note,
  type NotesImported,
  type Result,
} from '../../protocol/index.js';
import { request } from '../ack-handler.js';
import type { Logger } from '../logger.js';
import type { PeerIds } from '../peer-ids.js';
import type { RoomAccess } from '../room-access.js';
import type { NotesNamespace, NotesSocket } from '../socket-types.js';
import type { NoteStore, StoreRefusal } from '../store/note-store.js';

const REFUSALS: Record<StoreRefusal, string> = {
  not_found: 'no such note in this room',
  forbidden: 'only the author can change a note',
  conflict: 'the note was changed since that version; reload it',
};

const NOT_SUBSCRIBED = 'subscribe to the room first';

/**
 * Every socket is also in a Socket.IO room named after its own id, which the client
 * knows; checking the id shape keeps notes from being written into such a room.
 */
function isSubscribed(socket: NotesSocket, room: string): boolean {
  return parseRoomId(room) !== null && socket.rooms.has(room);
}

export interface NotesOptions {
  store: NoteStore;
  logger: Logger;
  /** Private rooms need their key (issue 5). */
  access: RoomAccess;
  /** A socket subscribed to this many rooms is refused another with `too_large` (issue 5). */
  maxRoomsPerSocket: number;
  /** Each person's id in each room (issue 10): a note's author id is the one of its room. */
  peerIds: PeerIds;
}

export function registerNotes(nsp: NotesNamespace, options: NotesOptions): void {
  const { store, logger, peerIds } = options;
  /** The author of a note the socket writes in `room`. */
  const authorIn = ({ data }: NotesSocket, room: string) => ({
    id: peerIds.of(data.clientId, room),
    name: data.name,
    color: data.color,
  });

  const subscribe = async (socket: NotesSocket, input: NotesSubscribe): Promise<Result<Note[]>> => {
    const address = parseRoomId(input.room);
    if (address === null) return fail('invalid', 'room: not a room id');
    // The socket's own id room is not a subscription.
    if (!socket.rooms.has(input.room) && socket.rooms.size - 1 >= options.maxRoomsPerSocket) {
      return fail(
        'too_large',
        `subscribed to ${options.maxRoomsPerSocket} rooms already; unsubscribe one first`,
      );
    }
    // Only a private room waits for the store; other subscribes join synchronously, in order.
    const access = options.access.canEnter(address, input.key);
    if (access !== true && !((await access) && socket.connected)) {
      return fail('forbidden', 'this room needs a valid key');
    }
    // Join before reading, so a note written meanwhile arrives as a broadcast at worst twice, never not at all.
    void socket.join(input.room);
    try {
      return ok(await store.list(input.room));
    } catch (error) {
      // A failed subscribe must not leave the socket receiving that room's events.
      void socket.leave(input.room);
      throw error;
    }
  };

  const create = async (socket: NotesSocket, input: NoteCreate): Promise<Result<Note>> => {
    const { room, opId, ...fields } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const result = await store.create(room, opId, fields, authorIn(socket, room));
    if (!result.ok) {
      return fail(
        result.reason,
        result.reason === 'not_found' ? 'parentId: ' + REFUSALS.not_found : REFUSALS[result.reason],
      );
    }
    const { note, created } = result.value;
    // A retried opId was broadcast the first time; saying it again would duplicate it for others.
    if (created) socket.to(room).emit('note:created', { room, note });
    return ok(note);
  };

  const update = async (socket: NotesSocket, input: NoteUpdate): Promise<Result<Note>> => {
    const { room, id, version, body, opId } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const result = await store.update(room, id, version, body, peerIds.of(socket.data.clientId, room), opId);
    if (!result.ok) return fail(result.reason, REFUSALS[result.reason]);
    const { value: note, applied } = result.value;
    // A replayed opId was broadcast the first time.
    if (applied) socket.to(room).emit('note:updated', { room, note });
    return ok(note);
  };

  const remove = async (socket: NotesSocket, input: NoteDelete): Promise<Result<{ id: string }>> => {
    const { room, id, version, opId } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const result = await store.delete(room, id, version, peerIds.of(socket.data.clientId, room), opId);
    if (!result.ok) return fail(result.reason, REFUSALS[result.reason]);
    if (result.value.applied) socket.to(room).emit('note:deleted', { room, id });
    return ok({ id });
  };

  const exportNotes = async (socket: NotesSocket, room: string): Promise<Result<AnnotationCollection>> => {
    const address = parseRoomId(room);
    if (!address || !isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    return ok(notesToCollection(await store.list(room), address.page));
  };

  /**
   * Creates the collection's notes as the importer's, parents before replies. Each opId is
   * derived from the annotation id, so importing the same file twice stores nothing new.
   */
  const importNotes = async (socket: NotesSocket, input: NotesImport): Promise<Result<NotesImported>> => {
    const { room } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const items = ImportedCollection.safeParse(input.collection);
    if (!items.success) return invalid(items.error);
    const { notes, skipped } = collectionToNotes(items.data);
    const author = authorIn(socket, room);
    const ids = new Map<string, string>();
    const counts = { created: 0, unchanged: 0, skipped };
    for (const item of notes) {
      const parentId = item.parent === undefined ? undefined : ids.get(item.parent);
      const opId = 'imp-' + createHash('sha256').update(item.annotationId).digest('base64url').slice(0, 40);
      const result = await store.create(
        room,
        opId,
        { anchor: item.anchor, body: item.body, color: item.color, parentId },
        author,
      );
      if (!result.ok) {
        counts.skipped++;
        continue;
      }
      const { note, created } = result.value;
      ids.set(item.annotationId, note.id);
      if (!created) {
        counts.unchanged++;
        continue;
      }
      counts.created++;
      // Unlike note:create the importer's own tabs learn about these only this way.
      nsp.to(room).emit('note:created', { room, note });
    }
    return ok(counts);
  };

  // Made once for the namespace: each handler gets its socket as `this` (ack-handler.ts),
  // so a connection costs its listener entries, not a set of closures (idle memory, issue 6).
  const handlers = {
    'notes:subscribe': request(
      { event: 'notes:subscribe', schema: NotesSubscribe, logger },
      (input, socket: NotesSocket) => subscribe(socket, input),
    ),
    'notes:unsubscribe': request(
      { event: 'notes:unsubscribe', schema: RoomRef, logger, ackOptional: true },
      ({ room }, socket: NotesSocket) => {
        // Never the socket's own id room, which Socket.IO needs to reach it directly.
        if (parseRoomId(room) !== null) void socket.leave(room);
        return ok(null);
      },
    ),
    'note:create': request(
      { event: 'note:create', schema: NoteCreate, logger },
      (input, socket: NotesSocket) => create(socket, input),
    ),
    'note:update': request(
      { event: 'note:update', schema: NoteUpdate, logger },
      (input, socket: NotesSocket) => update(socket, input),
    ),
    'note:delete': request(
      { event: 'note:delete', schema: NoteDelete, logger },
      (input, socket: NotesSocket) => remove(socket, input),
    ),
    'notes:export': request(
      { event: 'notes:export', schema: RoomRef, logger },
      ({ room }, socket: NotesSocket) => exportNotes(socket, room),
    ),
    'notes:import': request(
      { event: 'notes:import', schema: NotesImport, logger },
      (input, socket: NotesSocket) => importNotes(socket, input),
    ),
  };
  const events = Object.keys(handlers) as Array<keyof typeof handlers>;

  nsp.on('connection', (socket) => {
    for (const event of events) socket.on(event, handlers[event]);
  });
}
