/**
 * Wire protocol v1: zod schemas for every payload that crosses the network, and the
 * types derived from them. docs/PROTOCOL.md documents each field; keep them in step.
 */
import { z } from 'zod';
import { hasVisibleCharacter, normalizeDisplayName } from './display-name.js';
import { MAX_PAGE_LENGTH } from './page-url.js';

// ---------------------------------------------------------------------------
// Limits: every string from outside has a maximum so no payload grows unbounded.

export const LIMITS = {
  clientId: 64,
  secret: 128,
  name: 40,
  channel: 64,
  key: 128,
  room: MAX_PAGE_LENGTH + 80,
  cssPath: 512,
  noteBody: 10_000,
  quote: 2_000,
  quoteContext: 64,
  selectors: 8,
  opId: 64,
  noteId: 64,
  /** Notes in one page of `notes:subscribe` / `notes:page` / `notes:export`. */
  notesPerPage: 500,
  /**
   * Serialized bytes of one page's notes (or annotations): the server stops a page before it
   * grows over this, so no answer is built bigger whatever the room holds.
   */
  pageBytes: 256 * 1024,
} as const;

/** A CSS colour as `#rrggbb`. */
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like #1a2b3c');

/**
 * Display name, normalised by {@link normalizeDisplayName} (NFC, no invisible or bidi-control
 * characters, spaces collapsed, trimmed), then 1..40 characters with a visible one and no
 * control characters, so one person cannot pose as another.
 */
export const Name = z
  .string()
  .max(LIMITS.name * 4)
  .transform(normalizeDisplayName)
  .pipe(
    z
      .string()
      .min(1, 'a name needs a visible character')
      .max(LIMITS.name)
      .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed')
      .refine(hasVisibleCharacter, 'a name needs a visible character'),
  );

/** A fraction of something's size, 0..1 inclusive. */
const Fraction = z.number().min(0).max(1);

export const RoomId = z.string().min(3).max(LIMITS.room);

// ---------------------------------------------------------------------------
// Handshake

/** Socket.IO handshake `auth`, sent on every namespace connection. */
export const Auth = z.object({
  /** Random id the extension makes once per browser profile. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 url-safe characters'),
  /** Proof of `clientId`; the server keeps a hash of the first one it saw. */
  secret: z.string().min(16).max(LIMITS.secret),
  name: Name,
  color: Color,
});
export type Auth = z.infer<typeof Auth>;

// ---------------------------------------------------------------------------
// Presence and cursors (namespace /rooms)

/** Someone in a room. `id` is stable for a `clientId` within a room. */
export const Peer = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  /** True after a while without input. */
  idle: z.boolean(),
  /** Small number of this peer in this room, for packed cursor batches (protocol/cursor-packing.ts). */
  no: z.number().int().positive().optional(),
});
export type Peer = z.infer<typeof Peer>;

/** The character under the pointer, inside the anchor element: survives text reflowing. */
export const CursorTextAnchor = z.object({
  /** Offset of the character in the element's `textContent`. */
  offset: z.number().int().min(0).max(1_000_000),
  /** Fraction of that character's box width. */
  fx: Fraction,
  /** Fraction of that character's box height. */
  fy: Fraction,
});
export type CursorTextAnchor = z.infer<typeof CursorTextAnchor>;

/** An element under the pointer and where inside its box the pointer was. */
export const CursorAnchor = z.object({
  /** Short CSS selector path of the element, from the nearest element with an id or from `body`. */
  path: z.string().min(1).max(LIMITS.cssPath),
  /** Fraction of the element's width. */
  fx: Fraction,
  /** Fraction of the element's height. */
  fy: Fraction,
  /** Set when the pointer is over text: receivers place the cursor on that character first. */
  text: CursorTextAnchor.optional(),
});
export type CursorAnchor = z.infer<typeof CursorAnchor>;

/** A pointer position: fractions of the document's scroll size, plus an element anchor. */
export const Cursor = z.object({
  x: Fraction,
  y: Fraction,
  anchor: CursorAnchor.optional(),
});
export type Cursor = z.infer<typeof Cursor>;

export const RoomJoin = z.object({
  /** The page URL; the server normalises it again. */
  page: z.string().min(1).max(MAX_PAGE_LENGTH),
  /** Omitted or "public" for the page's public room. */
  channel: z.string().max(LIMITS.channel).optional(),
  /** Invite key of a private room. */
  key: z.string().max(LIMITS.key).optional(),
  /** How this socket wants cursor batches: `cursor:batch` objects (default) or `cursor:packed`. */
  cursorFormat: z.enum(['objects', 'packed']).optional(),
});
export type RoomJoin = z.infer<typeof RoomJoin>;

export const RoomJoined = z.object({
  room: RoomId,
  /** The room's number in `cursor:packed` batches on this connection's server. */
  roomNo: z.number().int().positive().optional(),
  self: Peer,
  peers: z.array(Peer),
});
export type RoomJoined = z.infer<typeof RoomJoined>;

/** `room:create`: a new private room on the page; the server makes its channel and key. */
export const RoomCreate = z.object({ page: z.string().min(1).max(MAX_PAGE_LENGTH) });
export type RoomCreate = z.infer<typeof RoomCreate>;

/** Ack of `room:create`. The key is shown once; the server keeps only its hash. */
export const RoomCreated = z.object({
  room: RoomId,
  channel: z.string(),
  key: z.string(),
  /** `formatInviteCode(channel, key)`: what the creator shares. */
  invite: z.string(),
});
export type RoomCreated = z.infer<typeof RoomCreated>;

export const RoomRef = z.object({ room: RoomId });
export type RoomRef = z.infer<typeof RoomRef>;

export const RoomList = z.object({ page: z.string().min(1).max(MAX_PAGE_LENGTH) });
export type RoomList = z.infer<typeof RoomList>;

export const RoomSummary = z.object({ channel: z.string(), room: RoomId, count: z.number().int() });
export type RoomSummary = z.infer<typeof RoomSummary>;

export const PresenceUpdate = z.object({
  room: RoomId,
  name: Name.optional(),
  color: Color.optional(),
  idle: z.boolean().optional(),
});
export type PresenceUpdate = z.infer<typeof PresenceUpdate>;

export const CursorMove = z.object({ room: RoomId, cursor: Cursor });
export type CursorMove = z.infer<typeof CursorMove>;

/** One entry of a batch: the peer's latest cursor, or null when it left the page. */
export const CursorEntry = z.object({ peerId: z.string(), cursor: Cursor.nullable() });
export type CursorEntry = z.infer<typeof CursorEntry>;

export const CursorBatch = z.object({ room: RoomId, cursors: z.array(CursorEntry) });
export type CursorBatch = z.infer<typeof CursorBatch>;

/** Numbers of element paths used by later `cursor:packed` batches of the room. */
export const CursorPaths = z.object({
  room: RoomId,
  paths: z.array(z.tuple([z.number().int().positive(), z.string().min(1).max(LIMITS.cssPath)])),
  /**
   * The room's number in later `cursor:packed` batches, when it changed since the join
   * (several nodes, after a Redis outage: the cluster's number replaces the node's).
   */
  roomNo: z.number().int().positive().optional(),
});
export type CursorPaths = z.infer<typeof CursorPaths>;

export const PresenceJoined = z.object({ room: RoomId, peer: Peer });
export type PresenceJoined = z.infer<typeof PresenceJoined>;
export const PresenceLeft = z.object({ room: RoomId, peerId: z.string() });
export type PresenceLeft = z.infer<typeof PresenceLeft>;
export const PresenceUpdated = z.object({ room: RoomId, peer: Peer });
export type PresenceUpdated = z.infer<typeof PresenceUpdated>;

// ---------------------------------------------------------------------------
// Notes (namespace /notes)

/** W3C Web Annotation TextQuoteSelector: the quoted words and a little context. */
export const TextQuoteSelector = z.object({
  type: z.literal('TextQuoteSelector'),
  exact: z.string().min(1).max(LIMITS.quote),
  prefix: z.string().max(LIMITS.quoteContext).optional(),
  suffix: z.string().max(LIMITS.quoteContext).optional(),
});
/** W3C Web Annotation TextPositionSelector: character offsets in the page's text. */
export const TextPositionSelector = z.object({
  type: z.literal('TextPositionSelector'),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
});
/** W3C Web Annotation CssSelector (an element), optionally refined by a position inside it. */
export const CssSelector = z.object({
  type: z.literal('CssSelector'),
  /** CSS path of the nearest stable element holding the words. */
  value: z.string().min(1).max(LIMITS.cssPath),
  /**
   * W3C `refinedBy`: where the words are inside that element, as offsets into the
   * element's own page text (same normalisation as the page-level position).
   */
  refinedBy: TextPositionSelector.optional(),
});
/** A point on the page without text: fractions of the document's scroll size. */
export const PointSelector = z.object({
  type: z.literal('FragmentSelector'),
  conformsTo: z.literal('http://www.w3.org/TR/media-frags/'),
  value: z.string().max(64),
});
export const Selector = z.discriminatedUnion('type', [
  TextQuoteSelector,
  TextPositionSelector,
  CssSelector,
  PointSelector,
]);
export type Selector = z.infer<typeof Selector>;

export const NoteAnchor = z.object({ selectors: z.array(Selector).max(LIMITS.selectors) });
export type NoteAnchor = z.infer<typeof NoteAnchor>;

export const NoteBody = z.string().trim().min(1).max(LIMITS.noteBody);
export const NoteId = z.string().min(1).max(LIMITS.noteId);
export const OpId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 url-safe characters');

/** A room's revision: 0 before its first change, +1 on every change of one of its notes. */
export const Revision = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const NotesSubscribe = z.object({
  room: RoomId,
  key: z.string().max(LIMITS.key).optional(),
  /**
   * The room's revision the client has every change up to (the `revision` of its last complete
   * answer, or of contiguous note events since); the answer holds only the changes after it.
   * Absent or 0: every note of the room.
   */
  since: Revision.optional(),
});
export type NotesSubscribe = z.infer<typeof NotesSubscribe>;

/**
 * Where a page of a room's notes continues: opaque to clients, who send back the `next` of
 * the page they have. Pages of `notes:subscribe` follow the room's revisions, so a note
 * changed while a client pages lands after the cursor, as it is then; pages of
 * `notes:export` follow the order the server stored the notes in and never repeat one.
 */
export const NotesCursor = z.string().regex(/^[0-9]{1,16}$/, 'expected the next cursor of a page');
export type NotesCursor = z.infer<typeof NotesCursor>;

/** `notes:page`: the page after `after` of a room the socket subscribed to. */
export const NotesPageRequest = z.object({ room: RoomId, after: NotesCursor });
export type NotesPageRequest = z.infer<typeof NotesPageRequest>;

export const NoteCreate = z.object({
  room: RoomId,
  /** Idempotency key: the same opId twice stores one note. */
  opId: OpId,
  anchor: NoteAnchor,
  body: NoteBody,
  color: Color.optional(),
  /** Set on a reply; the parent must be a note of the same room. */
  parentId: NoteId.optional(),
});
export type NoteCreate = z.infer<typeof NoteCreate>;

export const NoteUpdate = z.object({
  room: RoomId,
  id: NoteId,
  /** The version the edit was made on; a stale one is a `conflict`. */
  version: z.number().int().min(1),
  body: NoteBody,
  /**
   * Optional idempotency key: a repeated opId (a replay from the outbox) acks the note as it
   * is now and changes nothing, even though `version` is stale by then.
   */
  opId: OpId.optional(),
});
export type NoteUpdate = z.infer<typeof NoteUpdate>;

export const NoteDelete = z.object({
  room: RoomId,
  id: NoteId,
  version: z.number().int().min(1),
  /** Optional idempotency key: a repeated opId acks `{ id }` again although the note is gone. */
  opId: OpId.optional(),
});
export type NoteDelete = z.infer<typeof NoteDelete>;

export const NoteAuthor = z.object({ id: z.string(), name: z.string(), color: z.string() });
export type NoteAuthor = z.infer<typeof NoteAuthor>;

/** A stored note as the server sends it. */
export const Note = z.object({
  id: NoteId,
  room: RoomId,
  version: z.number().int().min(1),
  /**
   * The room's revision at the note's last change: a client that has applied it
   * has the room at least up to it for this note. Absent only from servers older than revisions.
   */
  revision: z.number().int().min(1).optional(),
  anchor: NoteAnchor,
  body: z.string(),
  color: Color.optional(),
  parentId: NoteId.optional(),
  author: NoteAuthor,
  /** ISO 8601. */
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Note = z.infer<typeof Note>;

/**
 * A page of a room's notes in the order they were stored, as `notes:export` reads them: at
 * most {@link LIMITS.notesPerPage} notes and {@link LIMITS.pageBytes} bytes of them, oldest
 * first; `next` is null on the last page. (`notes:subscribe` answers {@link NotesChanges}.)
 */
export const NotesPage = z.object({ notes: z.array(Note), next: NotesCursor.nullable() });
export type NotesPage = z.infer<typeof NotesPage>;

/**
 * Ack of `notes:subscribe` and `notes:page`: the room's changes after the request's
 * `since` (or `after`), in revision order, at most {@link LIMITS.notesPerPage} changes (notes
 * and deleted ids together) and {@link LIMITS.pageBytes} bytes of them.
 */
export const NotesChanges = z.object({
  /** Notes created or changed in this page's revisions, each as it is now, by revision. */
  notes: z.array(Note),
  /** Ids of notes deleted in this page's revisions; some may be notes the client never had. */
  deleted: z.array(NoteId),
  /** Send as `after` in `notes:page` for the next page; null on the page that reaches `revision`. */
  next: NotesCursor.nullable(),
  /** The room's revision as of this page; with `next` null the client has every change up to it. */
  revision: Revision,
  /**
   * True when `since` was above the room's revision (not a revision of this server's store):
   * the answer then starts from 0, and the client drops what it held of the room first.
   */
  reset: z.boolean(),
});
export type NotesChanges = z.infer<typeof NotesChanges>;

/**
 * `notes:export`: the room's first page of annotations, or the page `after` names: the
 * `first.next` of the page before (a page IRI), or a bare {@link NotesCursor}.
 */
export const NotesExport = z.object({
  room: RoomId,
  after: z
    .string()
    .min(1)
    .max(LIMITS.room * 3 + 64)
    .optional(),
});
export type NotesExport = z.infer<typeof NotesExport>;

export const NoteChanged = z.object({ room: RoomId, note: Note });
export type NoteChanged = z.infer<typeof NoteChanged>;
export const NoteDeleted = z.object({
  room: RoomId,
  id: NoteId,
  /** The room's revision of the delete; absent only from servers older than revisions. */
  revision: Revision.min(1).optional(),
});
export type NoteDeleted = z.infer<typeof NoteDeleted>;
/** Ack of `note:delete`: the id, and the revision of the delete (not on a replay of a delete made before the store kept revisions). */
export const NoteDeletedAck = z.object({ id: NoteId, revision: Revision.min(1).optional() });
export type NoteDeletedAck = z.infer<typeof NoteDeletedAck>;

/** `notes:import`: a W3C AnnotationCollection (see protocol/web-annotation.ts) into a subscribed room. */
export const NotesImport = z.object({ room: RoomId, collection: z.unknown() });
export type NotesImport = z.infer<typeof NotesImport>;

/** Why an item of an import did not become a note. */
export const ImportSkipReason = z.enum([
  /** Not an object with `id`, `type: "Annotation"` and a target. */
  'not_an_annotation',
  /** The same `id` came earlier in the import. */
  'duplicate_id',
  /** No text: the body is a link to a resource (an IRI), an image, or missing. */
  'no_text_body',
  /** The text is empty or longer than a note may be. */
  'bad_text',
  /** It annotates another page than the room's. */
  'other_page',
  /** It annotates the page as a whole; a note needs a place on it. */
  'no_selector',
  /** Only selectors we cannot anchor (XPath, SVG, Range, pixels...). */
  'unsupported_selector',
]);
export type ImportSkipReason = z.infer<typeof ImportSkipReason>;

/** One item that was not imported: where it is in the request, its `id` if it had one, and why. */
export const ImportSkippedItem = z.object({
  index: z.number().int().min(0),
  id: z.string().optional(),
  reason: ImportSkipReason,
  message: z.string(),
});
export type ImportSkippedItem = z.infer<typeof ImportSkippedItem>;

/**
 * Ack of `notes:import`: notes stored now, items already imported before, items not usable
 * (how many, and each with why), and items not reached because the socket's note budget ran
 * out. While `remaining` is above 0, send the same collection again after `retryAfterMs`:
 * what is stored counts as `unchanged` and the import goes on where it stopped.
 */
export const NotesImported = z.object({
  created: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  skipped: z.number().int().min(0),
  /** The `skipped` items in request order; absent from servers that did not say why. */
  skippedItems: z.array(ImportSkippedItem).optional(),
  remaining: z.number().int().min(0),
  retryAfterMs: z.number().int().min(0),
});
export type NotesImported = z.infer<typeof NotesImported>;
