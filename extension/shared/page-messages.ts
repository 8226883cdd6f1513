/**
 * Messages between a content script and the service worker, over a `runtime.Port` named
 * {@link PORT_NAME}: one zod schema per message and a discriminated union on `type` per
 * direction. Each side parses what it receives.
 */
import { z } from 'zod';
import {
  Color,
  Cursor,
  CursorEntry,
  Note,
  NoteAnchor,
  NoteCreate,
  NoteDelete,
  NoteId,
  NoteUpdate,
  Peer,
  RoomId,
} from '../../protocol/index.js';

/** Name of the port every content script opens to the service worker. */
export const PORT_NAME = 'collab';

// ---------------------------------------------------------------------------
// Content script -> service worker (port)

/** First message on every new port: the page this tab shows. */
export const HelloMessage = z.object({
  type: z.literal('hello'),
  /** `location.href` of the top frame; the worker normalises it. */
  url: z.string().min(1).max(8192),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

/** The local pointer moved; sent at most once per frame and 30 times a second. */
export const CursorMoveMessage = z.object({ type: z.literal('cursor:move'), cursor: Cursor });
export type CursorMoveMessage = z.infer<typeof CursorMoveMessage>;

/** The local pointer left the page (pointerleave of the document, pagehide). */
export const CursorHideMessage = z.object({ type: z.literal('cursor:hide') });
export type CursorHideMessage = z.infer<typeof CursorHideMessage>;

/**
 * The user saved a new note, edited or deleted one: the server's own request without the
 * room and opId, which the worker adds (it knows the tab's room; the outbox owns the opId).
 * The worker defaults a new note's colour to the user's.
 */
const fromTab = { room: true, opId: true } as const;
export const NoteCreateMessage = NoteCreate.omit(fromTab).extend({ type: z.literal('note:create') });
export type NoteCreateMessage = z.infer<typeof NoteCreateMessage>;

/** `version` is the one the edit was made on. */
export const NoteUpdateMessage = NoteUpdate.omit(fromTab).extend({ type: z.literal('note:update') });
export type NoteUpdateMessage = z.infer<typeof NoteUpdateMessage>;

export const NoteDeleteMessage = NoteDelete.omit(fromTab).extend({ type: z.literal('note:delete') });
export type NoteDeleteMessage = z.infer<typeof NoteDeleteMessage>;

/** Asks for the tab's room as a W3C Web Annotation collection (answered by `notes:exported`). */
export const NotesExportMessage = z.object({ type: z.literal('notes:export') });
/** Imports a W3C Web Annotation collection into the tab's room (answered by `notes:imported`). */
export const NotesImportMessage = z.object({ type: z.literal('notes:import'), collection: z.unknown() });

/** The page is going away (pagehide): leave its room now instead of waiting for the port to drop. */
export const LeaveMessage = z.object({ type: z.literal('leave') });
export type LeaveMessage = z.infer<typeof LeaveMessage>;

/** The user went idle (60 s without input) or came back. */
export const IdleMessage = z.object({ type: z.literal('idle'), idle: z.boolean() });
export type IdleMessage = z.infer<typeof IdleMessage>;

/** Everything a content script may send. */
export const ContentToWorker = z.discriminatedUnion('type', [
  HelloMessage,
  CursorMoveMessage,
  CursorHideMessage,
  LeaveMessage,
  IdleMessage,
  NoteCreateMessage,
  NoteUpdateMessage,
  NoteDeleteMessage,
  NotesExportMessage,
  NotesImportMessage,
]);
export type ContentToWorker = z.infer<typeof ContentToWorker>;

// ---------------------------------------------------------------------------
// Service worker -> content script (port)

/** Sharing is off for this tab: draw nothing, send nothing. */
export const SessionInactive = z.object({
  type: z.literal('session'),
  active: z.literal(false),
  /**
   * `off`: the user has not turned sharing on for this site; `unsupported`: not an
   * http(s) page; `reconnecting`: the server changed, a new session follows;
   * `paused`: the user paused all sharing; `revoked`: the extension may no longer run on this
   * site (its access was removed): the content script takes its overlay off and stops.
   */
  reason: z.enum(['off', 'unsupported', 'reconnecting', 'paused', 'revoked']),
});

/** The tab is in a room: who it is there and who else is. */
export const SessionActive = z.object({
  type: z.literal('session'),
  active: z.literal(true),
  /** Room id as the server named it; every later message carries it. */
  room: RoomId,
  /** The normalised page URL. */
  page: z.string(),
  /** Channel of the room (`public` by default). */
  channel: z.string(),
  /** This browser profile as the room sees it. */
  self: Peer,
  /** Everyone else in the room. */
  peers: z.array(Peer),
});

/** The tab's session: sent after `hello`, after every join and leave, and on reconnect. */
export const SessionMessage = z.discriminatedUnion('active', [SessionInactive, SessionActive]);
export type SessionMessage = z.infer<typeof SessionMessage>;

/**
 * How the tab's room reaches the server: `online` once joined; `connecting` while joining or
 * reconnecting; `offline` while the server cannot be reached (the worker keeps trying, and
 * notes written meanwhile wait in its outbox). Sent to a room's tabs whenever it changes.
 */
export const ServerStateMessage = z.object({
  type: z.literal('server'),
  state: z.enum(['online', 'connecting', 'offline']),
});
export type ServerStateMessage = z.infer<typeof ServerStateMessage>;

/** The full, updated list of the others in the tab's room. */
export const PeersMessage = z.object({ type: z.literal('peers'), room: RoomId, peers: z.array(Peer) });
export type PeersMessage = z.infer<typeof PeersMessage>;

/** Latest cursors of others (`cursor: null` = that peer's cursor left the page). */
export const CursorsMessage = z.object({
  type: z.literal('cursors'),
  room: RoomId,
  cursors: z.array(CursorEntry),
});
export type CursorsMessage = z.infer<typeof CursorsMessage>;

/** Every note of the room, replacing what the tab had (after subscribe and resubscribe). */
export const NotesMessage = z.object({ type: z.literal('notes'), room: RoomId, notes: z.array(Note) });
export type NotesMessage = z.infer<typeof NotesMessage>;

/** One note was created or changed (by anyone, including this tab after the server stored it). */
export const NoteUpsertMessage = z.object({ type: z.literal('note:upsert'), room: RoomId, note: Note });
export type NoteUpsertMessage = z.infer<typeof NoteUpsertMessage>;

/** One note was deleted. */
export const NoteRemovedMessage = z.object({ type: z.literal('note:removed'), room: RoomId, id: NoteId });
export type NoteRemovedMessage = z.infer<typeof NoteRemovedMessage>;

/** A note of this tab could not be saved; `message` is shown to the user. */
export const NoteErrorMessage = z.object({ type: z.literal('note:error'), message: z.string() });
export type NoteErrorMessage = z.infer<typeof NoteErrorMessage>;

/** A note change the worker holds in its outbox, not yet acknowledged by the server. */
export const PendingOp = z.object({
  opId: z.string(),
  kind: z.enum(['create', 'update', 'delete']),
  /** The note changed (update, delete) or the parent of a reply (create). */
  id: NoteId.optional(),
  parentId: NoteId.optional(),
  body: z.string().optional(),
  anchor: NoteAnchor.optional(),
  color: Color.optional(),
});
export type PendingOp = z.infer<typeof PendingOp>;

/** Everything of the room still in the outbox (after every change of it). */
export const NotesPendingMessage = z.object({
  type: z.literal('notes:pending'),
  room: RoomId,
  ops: z.array(PendingOp),
});
export type NotesPendingMessage = z.infer<typeof NotesPendingMessage>;

/** An edit was made on a stale version: the user's text and the note as it is now (null: deleted). */
export const NoteConflictMessage = z.object({
  type: z.literal('note:conflict'),
  room: RoomId,
  id: NoteId,
  mine: z.string(),
  theirs: Note.nullable(),
});
export type NoteConflictMessage = z.infer<typeof NoteConflictMessage>;

/** The answer to `notes:export`. */
export const NotesExportedMessage = z.object({
  type: z.literal('notes:exported'),
  room: RoomId,
  collection: z.unknown(),
});
/** The answer to `notes:import`. */
export const NotesImportedMessage = z.object({
  type: z.literal('notes:imported'),
  room: RoomId,
  created: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  firstSkipped: z.object({ index: z.number().int(), message: z.string().max(500) }).optional(),
});

/** "Add note here" (context menu or keyboard shortcut): open the composer for a point note. */
export const ComposePointMessage = z.object({ type: z.literal('note:compose-point') });

/** Everything the service worker may send to a content script. */
export const WorkerToContent = z.discriminatedUnion('type', [
  SessionMessage,
  ServerStateMessage,
  PeersMessage,
  CursorsMessage,
  NotesMessage,
  NoteUpsertMessage,
  NoteRemovedMessage,
  NoteErrorMessage,
  NotesPendingMessage,
  NoteConflictMessage,
  NotesExportedMessage,
  NotesImportedMessage,
  ComposePointMessage,
]);
export type WorkerToContent = z.infer<typeof WorkerToContent>;
