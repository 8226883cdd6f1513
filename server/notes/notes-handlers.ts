/**
 * Namespace /notes: subscribing to a room's notes and changing them. Every write is
 * acked only after the store committed it, and broadcast to the room's other sockets
 * (the sender learns the outcome from its ack). No answer grows with the room: notes go
 * out in bounded pages, and imports pay per note stored. A subscribe answers the
 * room's changes after the revision the client has (`since`), so a client that comes back,
 * to this node or another, reads what it missed and nothing else.
 */
import { createHash } from 'node:crypto';
import {
  annotationsToCollection,
  collectionToNotes,
  exportCursorOf,
  fail,
  ImportedCollection,
  invalid,
  LIMITS,
  noteToAnnotation,
  NotesExport,
  NotesImport,
  NoteCreate,
  NoteDelete,
  NotesPageRequest,
  NotesSubscribe,
  NoteUpdate,
  ok,
  parseRoomId,
  RoomRef,
  type AnnotationCollection,
  type Note,
  type NoteDeletedAck,
  type NotesChanges,
  type NotesImported,
  type Result,
} from '../../protocol/index.js';
import { request } from '../ack-handler.js';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import { queuedFor } from '../send-queue.js';
import { chargeTokens, msUntilTokens } from '../socket-guard.js';
import type { PeerIds } from '../peer-ids.js';
import type { RoomAccess } from '../room-access.js';
import type { NotesNamespace, NotesSocket } from '../socket-types.js';
import { startIdentityExpiry } from '../store/identity-expiry.js';
import type {
  ImportItem,
  NoteChanges,
  NoteStore,
  PageBounds,
  StoreRefusal,
  Writer,
} from '../store/note-store.js';

const NOT_SUBSCRIBED = 'subscribe to the room first';

/** Bounds of every page of notes a socket is sent (protocol/ LIMITS; docs/SECURITY.md). */
const PAGE: PageBounds = { maxNotes: LIMITS.notesPerPage, maxBytes: LIMITS.pageBytes };

/** Each import item's opId comes from its annotation id, so a repeated import stores nothing new. */
const importOpId = (annotationId: string) =>
  'imp-' + createHash('sha256').update(annotationId).digest('base64url').slice(0, 40);

/**
 * The parent id of an imported reply whose parent is not in the room: no note has it (note ids
 * are UUIDs), and replies to the same missing annotation share it, so they stay one thread.
 */
const goneParentId = (annotationId: string) =>
  'gone-' + createHash('sha256').update(annotationId).digest('base64url').slice(0, 40);

/** How much of earlier answers may wait unsent before a page is refused: two pages. */
const BACKLOG_BYTES = 2 * LIMITS.pageBytes;

/**
 * Whether answers sent to this socket earlier still wait in the server to be written: a
 * client that does not read. A page is refused then (`rate_limited`), so such a client
 * holds about two pages in the server's memory however often it asks; one that
 * reads is never refused for a small backlog (a burst of subscribes after a reconnect).
 */
function backlogged(socket: NotesSocket): boolean {
  // A page still being read will wait there too: with a store that answers asynchronously
  // (PostgreSQL) a burst of requests would otherwise all find an empty buffer.
  return (pagesReading.get(socket) ?? 0) * LIMITS.pageBytes + queuedFor(socket.conn) > BACKLOG_BYTES;
}

const BACKLOGGED = 'the last answers have not been read yet; ask again shortly';

/** Pages being read from the store for each socket, counted by {@link backlogged}. */
const pagesReading = new WeakMap<NotesSocket, number>();

/** Reads one page for `socket`, counted as waiting from the request until it is answered. */
async function readingPage<T>(socket: NotesSocket, read: () => Promise<T>): Promise<T> {
  pagesReading.set(socket, (pagesReading.get(socket) ?? 0) + 1);
  try {
    return await read();
  } finally {
    const left = (pagesReading.get(socket) ?? 1) - 1;
    if (left === 0) pagesReading.delete(socket);
    else pagesReading.set(socket, left);
  }
}

/**
 * A first page put off: no changes yet, and a cursor at `since`, so the client reads them with
 * `notes:page`; its `revision` is `since` (nothing read), never the end since `next` is set.
 */
const deferredPage = (since: number): NotesChanges => ({
  notes: [],
  deleted: [],
  next: String(since),
  revision: since,
  reset: false,
});

/** A store page of changes as the wire carries it: the cursor is the decimal revision. */
const onWire = (page: NoteChanges): NotesChanges => ({
  ...page,
  next: page.next === null ? null : String(page.next),
});

/**
 * Resolves once the answers of requests that arrived before this one were handed to the
 * transport: many requests in one read from the network run their synchronous parts
 * before any answer goes out, so without this they would all find an empty backlog.
 */
const earlierAnswersOut = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  /** Private rooms need their key. */
  access: RoomAccess;
  /**
   * `roomsPerSocket`: a socket subscribed to this many rooms is refused another with
   * `too_large`; note quotas and identity expiry.
   */
  limits: Pick<Limits, 'roomsPerSocket' | 'notesPerRoom' | 'notesPerAuthorPerDay' | 'identityIdleDays'>;
  /** Each person's id in each room: a note's author id is the one of its room. */
  peerIds: PeerIds;
  /** A subscribe's first page was read up to the room's `revision` (several-node mode's mend). */
  onServed?: (room: string, revision: number) => void;
}

export function registerNotes(nsp: NotesNamespace, options: NotesOptions): void {
  const { store, logger, limits, peerIds } = options;
  const quota = { perRoom: limits.notesPerRoom, perAuthorPerDay: limits.notesPerAuthorPerDay };
  const refusals: Record<StoreRefusal, string> = {
    not_found: 'no such note in this room',
    forbidden: 'only the author can change a note',
    conflict: 'the note was changed since that version; reload it',
    too_large: `this room holds ${quota.perRoom} notes, the most it may`,
    rate_limited: `${quota.perAuthorPerDay} notes in 24 hours is the most one person may write; try later`,
  };
  /** Who writes a note in `room`: the author as others see them there, and the private clientId. */
  const writer = ({ data }: NotesSocket, room: string): Writer => {
    const { clientId, name, color } = data;
    return { author: { id: peerIds.of(clientId, room), name, color }, clientId, quota };
  };
  const stopExpiry = startIdentityExpiry(store, logger, { idleDays: limits.identityIdleDays });
  nsp.server.httpServer.once('close', stopExpiry);

  const subscribe = async (socket: NotesSocket, input: NotesSubscribe): Promise<Result<NotesChanges>> => {
    const address = parseRoomId(input.room);
    if (address === null) return fail('invalid', 'room: not a room id');
    // The socket's own id room is not a subscription.
    if (!socket.rooms.has(input.room) && socket.rooms.size - 1 >= limits.roomsPerSocket) {
      return fail('too_large', `subscribed to ${limits.roomsPerSocket} rooms already; unsubscribe one first`);
    }
    // Only a private room waits for the store; other subscribes join synchronously, in order.
    const access = options.access.canEnter(address, input.key);
    if (access !== true && !((await access) && socket.connected)) {
      return fail('forbidden', 'this room needs a valid key');
    }
    const wasIn = socket.rooms.has(input.room);
    // Join before reading, so a note written meanwhile arrives as a broadcast at worst twice,
    // never not at all; and synchronously, so requests sent after it see it subscribed.
    void socket.join(input.room);
    try {
      await earlierAnswersOut();
      // Subscribed either way; with answers waiting unread, the changes wait for notes:page.
      const since = input.since ?? 0;
      if (backlogged(socket)) return ok(deferredPage(since));
      const first = await readingPage(socket, () => store.changes(input.room, since, PAGE));
      options.onServed?.(input.room, first.revision);
      return ok(onWire(first));
    } catch (error) {
      // A failed subscribe must not leave the socket receiving that room's events.
      if (!wasIn) void socket.leave(input.room);
      throw error;
    }
  };

  /** The page after `after`: changes made since the first page are after it too, none is skipped. */
  const page = async (socket: NotesSocket, input: NotesPageRequest): Promise<Result<NotesChanges>> => {
    if (!isSubscribed(socket, input.room)) return fail('forbidden', NOT_SUBSCRIBED);
    await earlierAnswersOut();
    if (backlogged(socket)) return fail('rate_limited', BACKLOGGED);
    return ok(onWire(await readingPage(socket, () => store.changes(input.room, Number(input.after), PAGE))));
  };

  const create = async (socket: NotesSocket, input: NoteCreate): Promise<Result<Note>> => {
    const { room, opId, ...fields } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const result = await store.create(room, opId, fields, writer(socket, room));
    if (!result.ok) {
      return fail(
        result.reason,
        result.reason === 'not_found' ? 'parentId: ' + refusals.not_found : refusals[result.reason],
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
    if (!result.ok) return fail(result.reason, refusals[result.reason]);
    const { value: note, applied } = result.value;
    // A replayed opId was broadcast the first time.
    if (applied) socket.to(room).emit('note:updated', { room, note });
    return ok(note);
  };

  const remove = async (socket: NotesSocket, input: NoteDelete): Promise<Result<NoteDeletedAck>> => {
    const { room, id, version, opId } = input;
    if (!isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const result = await store.delete(room, id, version, peerIds.of(socket.data.clientId, room), opId);
    if (!result.ok) return fail(result.reason, refusals[result.reason]);
    const { value, applied } = result.value;
    if (applied) socket.to(room).emit('note:deleted', { room, ...value });
    return ok(value);
  };

  /** One page of the room as an AnnotationCollection, bounded like every page; `first.next` continues it. */
  const exportNotes = async (
    socket: NotesSocket,
    input: NotesExport,
  ): Promise<Result<AnnotationCollection>> => {
    const { room } = input;
    const address = parseRoomId(room);
    if (!address || !isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const after = input.after === undefined ? null : exportCursorOf(room, input.after);
    if (after === null && input.after !== undefined) {
      return fail('invalid', "after: not the id of one of this room's export pages");
    }
    await earlierAnswersOut();
    if (backlogged(socket)) return fail('rate_limited', BACKLOGGED);
    const sizeOf = (note: Note) => Buffer.byteLength(JSON.stringify(noteToAnnotation(note, address.page)));
    const [{ notes, next }, { total, before }] = await readingPage(socket, () =>
      Promise.all([store.page(room, after, { ...PAGE, sizeOf }), store.count(room, after)]),
    );
    const items = notes.map((note) => noteToAnnotation(note, address.page));
    return ok(
      annotationsToCollection(
        items,
        { room, page: address.page },
        { total, startIndex: before, after, next },
      ),
    );
  };

  /**
   * Creates the collection's notes as the importer's, parents before replies, in one
   * transaction, paying one `notes` token per note stored. When the budget runs out the
   * answer says how many items are left and when to send the collection again; each opId is
   * derived from the annotation id, so what is stored already counts as unchanged.
   */
  const importNotes = async (socket: NotesSocket, input: NotesImport): Promise<Result<NotesImported>> => {
    const { room } = input;
    const address = parseRoomId(room);
    if (!address || !isSubscribed(socket, room)) return fail('forbidden', NOT_SUBSCRIBED);
    const parsed = ImportedCollection.safeParse(input.collection);
    if (!parsed.success) return invalid(parsed.error);
    const { notes, skipped } = collectionToNotes(parsed.data, address.page);
    const position = new Map(notes.map((item, index) => [item.annotationId, index]));
    const items = notes.map((item): ImportItem => {
      const input = { anchor: item.anchor, body: item.body, color: item.color };
      if (item.parent === undefined) return { opId: importOpId(item.annotationId), input };
      // Parents come first (collectionToNotes); one not in this collection may be from an
      // earlier import, or gone (deleted where the file was exported): the reply stays a reply.
      const index = position.get(item.parent);
      const parent =
        index === undefined
          ? { opId: importOpId(item.parent), otherwise: goneParentId(item.parent) }
          : { index };
      return { opId: importOpId(item.annotationId), input, parent };
    });
    const outcome = await store.importNotes(room, items, writer(socket, room), () =>
      chargeTokens(socket, 'notes', 1),
    );
    for (const note of outcome.created) {
      // Unlike note:create the importer's own tabs learn about these only this way.
      nsp.to(room).emit('note:created', { room, note });
    }
    const { stoppedBy, remaining } = outcome;
    if (outcome.created.length === 0 && (stoppedBy === 'too_large' || stoppedBy === 'rate_limited')) {
      return fail(stoppedBy, refusals[stoppedBy]);
    }
    return ok({
      created: outcome.created.length,
      unchanged: outcome.unchanged,
      skipped: skipped.length,
      skippedItems: skipped,
      remaining,
      // One token for the next notes:import itself, one per note it may then store.
      retryAfterMs: stoppedBy === 'budget' ? msUntilTokens(socket, 'notes', remaining + 1) : 0,
    });
  };

  // Made once for the namespace: each handler gets its socket as `this` (ack-handler.ts),
  // so a connection costs its listener entries, not a set of closures (idle memory).
  const handlers = {
    'notes:subscribe': request(
      { event: 'notes:subscribe', schema: NotesSubscribe, logger },
      (input, socket: NotesSocket) => subscribe(socket, input),
    ),
    'notes:page': request(
      { event: 'notes:page', schema: NotesPageRequest, logger },
      (input, socket: NotesSocket) => page(socket, input),
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
      { event: 'notes:export', schema: NotesExport, logger },
      (input, socket: NotesSocket) => exportNotes(socket, input),
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
