/**
 * The SQLite file's set-up and every statement the store runs, prepared once at open.
 */
import type Database from 'better-sqlite3';
import { NOTE_COLUMNS, type ChangeRow, type NoteRow } from './note-rows.js';

/**
 * Switches the file to WAL. The switch needs the file to itself, and SQLite answers BUSY at
 * once (no busy handler) while another process opens the same new file; that is a few
 * milliseconds of the other process's work, so a short wait and a retry is enough. Start-up
 * only, so blocking the thread for it is fine.
 */
export function walMode(db: Database.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 100) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** Statements prepared once at open; preparing per call would re-parse the SQL every time. */
export function prepare(db: Database.Database) {
  return {
    list: db.prepare<[string], NoteRow>(`SELECT ${NOTE_COLUMNS} FROM notes WHERE room = ? ORDER BY seq`),
    page: db.prepare<[string, number, number], NoteRow & { seq: number }>(
      `SELECT seq, ${NOTE_COLUMNS} FROM notes WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    countRoom: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM notes WHERE room = ?'),
    countBefore: db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM notes WHERE room = ? AND seq <= ?',
    ),
    countAuthorSince: db.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM notes WHERE client_id = ? AND created_at > ?',
    ),
    byOp: db.prepare<[string, string, string], NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = ? AND author_id = ? AND op_id = ?`,
    ),
    byId: db.prepare<[string, string], NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE id = ? AND room = ?`,
    ),
    insert: db.prepare<[NoteRow & { op_id: string; client_id: string }]>(
      `INSERT INTO notes (op_id, client_id, ${NOTE_COLUMNS}) VALUES (@op_id, @client_id, @id, @room,
         @anchor, @body, @color, @parent_id, @author_id, @author_name, @author_color, @version,
         @revision, @created_at, @updated_at)`,
    ),
    update: db.prepare<[string, number, string, string]>(
      'UPDATE notes SET body = ?, version = version + 1, revision = ?, updated_at = ? WHERE id = ?',
    ),
    delete: db.prepare<[string]>('DELETE FROM notes WHERE id = ?'),
    // Inside the write's transaction, so the revision and the change commit together.
    bumpRevision: db.prepare<[string], { revision: number }>(
      `INSERT INTO room_revisions (room, revision) VALUES (?, 1)
       ON CONFLICT (room) DO UPDATE SET revision = revision + 1 RETURNING revision`,
    ),
    revision: db.prepare<[string], { revision: number }>(
      'SELECT revision FROM room_revisions WHERE room = ?',
    ),
    tombstone: db.prepare<[string, string, number, string]>(
      'INSERT INTO note_tombstones (id, room, revision, deleted_at) VALUES (?, ?, ?, ?)',
    ),
    // Both halves use their (room, revision) index; the merge is by revision.
    changes: db.prepare<[string, number, string, number, number], ChangeRow>(
      `SELECT 0 AS gone, ${NOTE_COLUMNS} FROM notes WHERE room = ? AND revision > ?
       UNION ALL
       SELECT 1 AS gone, id, room, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, revision, NULL, NULL
         FROM note_tombstones WHERE room = ? AND revision > ?
       ORDER BY revision LIMIT ?`,
    ),
    opResult: db.prepare<[string, string, string], { result: string }>(
      'SELECT result FROM note_ops WHERE room = ? AND author_id = ? AND op_id = ?',
    ),
    recordOp: db.prepare<[string, string, string, string, string, string]>(
      'INSERT INTO note_ops (room, author_id, op_id, kind, result, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    serverSecret: db.prepare<[string], { value: Buffer }>('SELECT value FROM server_secrets WHERE name = ?'),
    claimServerSecret: db.prepare<[string, Buffer, string]>(
      'INSERT OR IGNORE INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)',
    ),
    getSecret: db.prepare<[string], { secret_hash: string }>(
      'SELECT secret_hash FROM client_secrets WHERE client_id = ?',
    ),
    claimSecret: db.prepare<[string, string, string, string]>(
      `INSERT OR IGNORE INTO client_secrets (client_id, secret_hash, created_at, last_seen_at)
       VALUES (?, ?, ?, ?)`,
    ),
    // At most one write per clientId and day: a handshake that finds a recent time writes nothing.
    touchClient: db.prepare<[string, string, string]>(
      `UPDATE client_secrets SET last_seen_at = ?
       WHERE client_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)`,
    ),
    expireClients: db.prepare<[string]>(
      `DELETE FROM client_secrets
       WHERE COALESCE(last_seen_at, created_at) < ?
         AND NOT EXISTS (SELECT 1 FROM notes WHERE notes.client_id = client_secrets.client_id)`,
    ),
    createRoom: db.prepare<[string, string, string, string]>(
      'INSERT OR IGNORE INTO private_rooms (page, channel, key_hash, created_at) VALUES (?, ?, ?, ?)',
    ),
    roomKey: db.prepare<[string, string], { key_hash: string }>(
      'SELECT key_hash FROM private_rooms WHERE page = ? AND channel = ?',
    ),
    ping: db.prepare('SELECT 1'),
    // As big as a large note, so the probe needs the file to grow as such a note would.
    probeWrite: db.prepare('INSERT INTO health_probe (filler) VALUES (zeroblob(65536))'),
    probeClear: db.prepare('DELETE FROM health_probe'),
  };
}

export type Statements = ReturnType<typeof prepare>;
