/** A note's row in PostgreSQL, the columns every read selects, and the row as a protocol Note. */
import type { Note } from '../../protocol/index.js';

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
  created_at: Date;
  updated_at: Date;
}

export interface PagedRow extends NoteRow {
  seq: string;
}

/** One change of a room's feed: a note as it is now, or (with `gone` set) a tombstone. */
export type ChangeRow = ({ gone: false } & NoteRow) | { gone: true; id: string; revision: number };

export const NOTE_COLUMNS = `id, room, anchor, body, color, parent_id, author_id, author_name, author_color,
  version, revision, created_at, updated_at`;

export function toNote(row: NoteRow): Note {
  return {
    id: row.id,
    room: row.room,
    version: row.version,
    revision: row.revision,
    anchor: JSON.parse(row.anchor) as Note['anchor'],
    body: row.body,
    ...(row.color === null ? {} : { color: row.color }),
    ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
    author: { id: row.author_id, name: row.author_name, color: row.author_color },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
