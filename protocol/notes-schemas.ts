/**
 * Wire protocol v1, namespace /notes: notes, their pages, changes, import and export.
 * docs/PROTOCOL.md documents each field; keep them in step.
 */
import { z } from 'zod';
import { LIMITS, Color, RoomId } from './schemas.js';

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
