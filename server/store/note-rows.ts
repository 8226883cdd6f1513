/**
 * A note's row as both stores hold it, the columns every read selects, the row as a
 * protocol Note, and the two page loops (by insertion order, by revision) both stores fill
 * pages with: bounded in notes and in bytes, one row more than a page holds saying whether
 * another page follows.
 */
import type { Note, NotesPage } from '../../protocol/index.js';
import type { NoteChanges, PageBounds } from './note-store.js';

export interface NoteRow {
  id: string;
  room: string;
  anchor: string;
  body: string;
  color: string | null;
  parent_id: string | null;
  author_id: string;
  author_name: string;
  author_color: string;
  version: number;
  revision: number;
  /** ISO text in SQLite, a Date from PostgreSQL's timestamptz. */
  created_at: string | Date;
  updated_at: string | Date;
}

/** One change of a room's feed: a note as it is now, or (with `gone` set) a tombstone. */
export type ChangeRow = ({ gone: false | 0 } & NoteRow) | { gone: true | 1; id: string; revision: number };

export const NOTE_COLUMNS = `id, room, anchor, body, color, parent_id, author_id, author_name, author_color,
  version, revision, created_at, updated_at`;

const iso = (time: string | Date): string => (typeof time === 'string' ? time : time.toISOString());

export function toNote(row: NoteRow): Note {
  return {
    id: row.id,
    room: row.room,
    version: row.version,
    revision: row.revision,
    anchor: JSON.parse(row.anchor) as Note['anchor'],
    body: row.body,
    // Optional fields are left out rather than sent as null, as the Note schema expects.
    ...(row.color === null ? {} : { color: row.color }),
    ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
    author: { id: row.author_id, name: row.author_name, color: row.author_color },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const jsonSize = (note: Note): number => Buffer.byteLength(JSON.stringify(note));

/**
 * One page of notes from `rows` (in seq order, at most `maxNotes + 1` of them); `next` is the
 * seq of the last note taken when another page follows.
 */
export function takePage(
  rows: Iterable<NoteRow & { seq: string | number }>,
  after: string | null,
  bounds: PageBounds,
): NotesPage {
  const sizeOf = bounds.sizeOf ?? jsonSize;
  const notes: Note[] = [];
  let bytes = 0;
  let last = after ?? '0';
  for (const row of rows) {
    const note = toNote(row);
    const size = sizeOf(note);
    if (notes.length === bounds.maxNotes || (notes.length > 0 && bytes + size > bounds.maxBytes)) {
      return { notes, next: last };
    }
    notes.push(note);
    bytes += size;
    last = String(row.seq);
  }
  return { notes, next: null };
}

/**
 * One page of a room's changes from `rows` (notes and tombstones after `since` in revision
 * order, at most `maxNotes + 1`), read in the same snapshot as the room's `revision`.
 */
export function takeChanges(
  rows: Iterable<ChangeRow>,
  since: number,
  revision: number,
  bounds: PageBounds,
): NoteChanges {
  const sizeOf = bounds.sizeOf ?? jsonSize;
  const reset = since > revision;
  const page: NoteChanges = { notes: [], deleted: [], next: null, revision, reset };
  let last = changesFrom(since, revision);
  let count = 0;
  let bytes = 0;
  for (const row of rows) {
    const note = row.gone ? null : toNote(row);
    const size = note === null ? Buffer.byteLength(JSON.stringify(row.id)) : sizeOf(note);
    if (count === bounds.maxNotes || (count > 0 && bytes + size > bounds.maxBytes)) {
      page.next = last;
      break;
    }
    if (note === null) page.deleted.push(row.id);
    else page.notes.push(note);
    count++;
    bytes += size;
    last = row.revision;
  }
  return page;
}

/** Where a changes query starts: from the beginning when the client is ahead (a reset store). */
export const changesFrom = (since: number, revision: number): number => (since > revision ? 0 : since);
