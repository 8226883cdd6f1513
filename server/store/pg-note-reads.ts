/**
 * The store's reads of notes on PostgreSQL: a room's notes, a page of them in insertion
 * order (seq), the changes after a revision (notes and tombstones in one snapshot), counts.
 * Pages are bounded in notes and in bytes.
 */
import type { Note, NotesPage } from '../../protocol/index.js';
import type { NoteChanges, PageBounds } from './note-store.js';
import type { PgDatabase } from './pg-database.js';
import {
  changesFrom,
  NOTE_COLUMNS,
  takeChanges,
  takePage,
  toNote,
  type ChangeRow,
  type NoteRow,
} from './note-rows.js';

export class PgNoteReads {
  constructor(private readonly db: PgDatabase) {}

  async list(room: string): Promise<Note[]> {
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<NoteRow>(
        `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = $1 ORDER BY seq`,
        [room],
      );
      return rows.map(toNote);
    });
  }

  async page(room: string, after: string | null, bounds: PageBounds): Promise<NotesPage> {
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<NoteRow & { seq: string }>(
        `SELECT seq, ${NOTE_COLUMNS} FROM notes WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [room, after ?? '0', bounds.maxNotes + 1],
      );
      return takePage(rows, after, bounds);
    });
  }

  async changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges> {
    // One snapshot: the revision and the page agree.
    return this.db.transaction(async (client) => {
      const head = await client.query<{ revision: number }>(
        'SELECT revision FROM room_revisions WHERE room = $1',
        [room],
      );
      const revision = head.rows[0]?.revision ?? 0;
      // Both halves use their (room, revision) index.
      const { rows } = await client.query<ChangeRow>(
        `SELECT false AS gone, ${NOTE_COLUMNS} FROM notes WHERE room = $1 AND revision > $2::bigint
         UNION ALL
         SELECT true, id, room, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, revision, NULL, NULL
           FROM note_tombstones WHERE room = $1 AND revision > $2::bigint
         ORDER BY revision LIMIT $3`,
        [room, changesFrom(since, revision), bounds.maxNotes + 1],
      );
      return takeChanges(rows, since, revision, bounds);
    }, 'read');
  }

  async count(room: string, after: string | null = null): Promise<{ total: number; before: number }> {
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<{ total: number; before: number }>(
        `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE seq <= $2)::int AS before
         FROM notes WHERE room = $1`,
        [room, after ?? '0'],
      );
      return rows[0]!;
    });
  }
}
