/**
 * The store's reads of notes on PostgreSQL: a room's notes, a page of them in insertion
 * order (seq), the changes after a revision (notes and tombstones in one snapshot), counts.
 * Pages are bounded in notes and in bytes.
 */
import type { Note, NotesPage } from '../../protocol/index.js';
import type { NoteChanges, PageBounds } from './note-store.js';
import type { PgDatabase } from './pg-database.js';
import { NOTE_COLUMNS, toNote, type ChangeRow, type NoteRow, type PagedRow } from './pg-note-rows.js';

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
    const sizeOf = bounds.sizeOf ?? ((note: Note) => Buffer.byteLength(JSON.stringify(note)));
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<PagedRow>(
        `SELECT seq, ${NOTE_COLUMNS} FROM notes WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [room, after ?? '0', bounds.maxNotes + 1],
      );
      const notes: Note[] = [];
      let bytes = 0;
      let last = after ?? '0';
      let more = false;
      for (const row of rows) {
        const note = toNote(row);
        const size = sizeOf(note);
        if (notes.length === bounds.maxNotes || (notes.length > 0 && bytes + size > bounds.maxBytes)) {
          more = true;
          break;
        }
        notes.push(note);
        bytes += size;
        last = row.seq;
      }
      return { notes, next: more ? last : null };
    });
  }

  async changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges> {
    const sizeOf = bounds.sizeOf ?? ((note: Note) => Buffer.byteLength(JSON.stringify(note)));
    // One snapshot: the revision and the page agree.
    return this.db.transaction(async (client) => {
      const head = await client.query<{ revision: number }>(
        'SELECT revision FROM room_revisions WHERE room = $1',
        [room],
      );
      const revision = head.rows[0]?.revision ?? 0;
      const reset = since > revision;
      const page: NoteChanges = { notes: [], deleted: [], next: null, revision, reset };
      let last = reset ? 0 : since;
      // Both halves use their (room, revision) index; one row more than a page holds says
      // whether another page follows.
      const { rows } = await client.query<ChangeRow>(
        `SELECT false AS gone, ${NOTE_COLUMNS} FROM notes WHERE room = $1 AND revision > $2::bigint
         UNION ALL
         SELECT true, id, room, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, revision, NULL, NULL
           FROM note_tombstones WHERE room = $1 AND revision > $2::bigint
         ORDER BY revision LIMIT $3`,
        [room, last, bounds.maxNotes + 1],
      );
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
