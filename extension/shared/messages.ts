/**
 * Messages inside the extension: content script <-> service worker over a
 * `runtime.Port` named {@link PORT_NAME}, and popup <-> service worker over
 * `runtime.sendMessage`. One zod schema per message, a discriminated union on `type`
 * per direction, and types derived with `z.infer`. Each side parses what it receives.
 */
import { z } from 'zod';
import {
  Color,
  Cursor,
  CursorEntry,
  Name,
  Note,
  NoteAnchor,
  NoteBody,
  NoteId,
  LIMITS,
  Peer,
  resultSchema,
  RoomId,
  RoomSummary,
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

/** The user saved a new note; the worker adds the `opId` and sends it to the server. */
export const NoteCreateMessage = z.object({
  type: z.literal('note:create'),
  /** W3C Web Annotation selectors of the selected words. */
  anchor: NoteAnchor,
  /** Plain text, never HTML. */
  body: NoteBody,
  /** Highlight colour; the worker defaults it to the user's colour. */
  color: Color.optional(),
  /** Set on a reply (whose anchor is then empty). */
  parentId: NoteId.optional(),
});
export type NoteCreateMessage = z.infer<typeof NoteCreateMessage>;

/** The author edited a note; `version` is the one the edit was made on. */
export const NoteUpdateMessage = z.object({
  type: z.literal('note:update'),
  id: NoteId,
  version: z.number().int().min(1),
  body: NoteBody,
});
export type NoteUpdateMessage = z.infer<typeof NoteUpdateMessage>;

/** The author deleted a note. */
export const NoteDeleteMessage = z.object({
  type: z.literal('note:delete'),
  id: NoteId,
  version: z.number().int().min(1),
});
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
   * `paused`: the user paused all sharing.
   */
  reason: z.enum(['off', 'unsupported', 'reconnecting', 'paused']),
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

// ---------------------------------------------------------------------------
// Popup -> service worker (runtime.sendMessage), answered with a Result<PopupState>

const TabId = z.number().int().min(0);

/** The server URL the user typed: http(s) or ws(s). */
export const ServerUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'expected an http(s) or ws(s) URL');

/** Asks for the state of one tab. */
export const PopupGetState = z.object({ type: z.literal('popup:get-state'), tabId: TabId });

/** Turns sharing on or off for the origin of the tab (joins/leaves all its tabs at once). */
export const PopupSetSharing = z.object({
  type: z.literal('popup:set-sharing'),
  tabId: TabId,
  enabled: z.boolean(),
});

/** Changes the user's display name and/or colour. */
export const PopupSetProfile = z.object({
  type: z.literal('popup:set-profile'),
  tabId: TabId,
  name: Name.optional(),
  color: Color.optional(),
});

/** Changes the server URL; the worker reconnects. */
export const PopupSetServer = z.object({
  type: z.literal('popup:set-server'),
  tabId: TabId,
  serverUrl: ServerUrl,
});

/** Moves the tab to another public or named room of its page (`public` for the page's own). */
export const PopupSwitchRoom = z.object({
  type: z.literal('popup:switch-room'),
  tabId: TabId,
  channel: z.string().trim().min(1).max(LIMITS.channel),
});

/** Asks the server for a new private room on the tab's page and moves the tab into it. */
export const PopupCreatePrivate = z.object({ type: z.literal('popup:create-private'), tabId: TabId });

/** Moves the tab into a private room by its invite code. */
export const PopupJoinInvite = z.object({
  type: z.literal('popup:join-invite'),
  tabId: TabId,
  code: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.channel + LIMITS.key + 1),
});

/** Pauses (or resumes) all sharing, on every site, in one click. */
export const PopupSetPaused = z.object({
  type: z.literal('popup:set-paused'),
  tabId: TabId,
  paused: z.boolean(),
});

/** Everything the popup may send. */
export const PopupToWorker = z.discriminatedUnion('type', [
  PopupGetState,
  PopupSetSharing,
  PopupSetProfile,
  PopupSetServer,
  PopupSwitchRoom,
  PopupCreatePrivate,
  PopupJoinInvite,
  PopupSetPaused,
]);
export type PopupToWorker = z.infer<typeof PopupToWorker>;

/** How the tab is connected, as the popup's `#status` shows it. */
export const PopupStatus = z.enum([
  /** The tab is in its room. */
  'connected',
  /** Joining or (re)connecting. */
  'connecting',
  /** The server cannot be reached; the worker keeps retrying. */
  'offline',
  /** Sharing is not on for this site. */
  'off',
  /** Not an http(s) page. */
  'unsupported',
  /** All sharing is paused. */
  'paused',
  /** Sharing is on but the page has no content script yet (opened before install): reload. */
  'reload',
]);
export type PopupStatus = z.infer<typeof PopupStatus>;

/** What the popup shows for one tab. */
export const PopupState = z.object({
  tabId: TabId,
  /** Origin of the tab's page, null when it is not an http(s) page. */
  origin: z.string().nullable(),
  /** True when the origin is in the user's enabled sites. */
  sharing: z.boolean(),
  status: PopupStatus,
  /** Why the tab could not enter its room or read its notes (while the server is reachable). */
  error: z.string().nullable(),
  /** The tab's room, once joined. `invite` is the code of a private room this browser holds. */
  room: z
    .object({
      id: RoomId,
      channel: z.string(),
      page: z.string(),
      private: z.boolean(),
      invite: z.string().nullable(),
    })
    .nullable(),
  /** The other public and named rooms open on this page, with head counts (`room:list`). */
  rooms: z.array(RoomSummary),
  /** All sharing paused. */
  paused: z.boolean(),
  /** The worker's one connection to the server. */
  connection: z.enum(['idle', 'connecting', 'connected', 'offline']),
  /**
   * Why the connection is `offline`: nothing answered at the URL, or the server refused the
   * handshake and said why. The popup puts it in words and says what to do.
   */
  connectionProblem: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('unreachable') }),
      z.object({ kind: z.literal('refused'), code: z.string(), message: z.string() }),
    ])
    .nullable(),
  self: Peer.nullable(),
  /** Everyone else in the room. */
  peers: z.array(Peer),
  name: z.string(),
  color: Color,
  serverUrl: z.string(),
  /** Colours the user can pick from. */
  palette: z.array(Color),
});
export type PopupState = z.infer<typeof PopupState>;

/** The worker's answer to every popup message. */
export const PopupReply = resultSchema(PopupState);
export type PopupReply = z.infer<typeof PopupReply>;

// ---------------------------------------------------------------------------
// Service worker -> popup (runtime.sendMessage broadcast)

/** Something the popup shows changed; it asks again with `popup:get-state`. */
export const StateChangedMessage = z.object({ type: z.literal('state:changed') });
export type StateChangedMessage = z.infer<typeof StateChangedMessage>;
