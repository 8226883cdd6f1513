/**
 * Schema migrations of the SQLite store. Each entry runs once, in order, inside one
 * transaction with the `user_version` bump, so a crash never leaves half a migration.
 */
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE notes (
     -- seq breaks ties between notes created in the same millisecond
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     room TEXT NOT NULL,
     op_id TEXT NOT NULL,
     anchor TEXT NOT NULL,
     body TEXT NOT NULL,
     color TEXT,
     parent_id TEXT,
     author_id TEXT NOT NULL,
     author_name TEXT NOT NULL,
     author_color TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     -- the idempotency key is the client's, scoped to its room so an opId can never
     -- reveal a note of another room or another author
     UNIQUE (room, author_id, op_id)
   );
   CREATE INDEX notes_by_room ON notes (room, created_at, seq);
   CREATE TABLE client_secrets (
     client_id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // Idempotency keys of note:update / note:delete (issue 4): a replayed opId answers the
  // first outcome again. Scoped like notes.op_id; `result` is the JSON of that first ack.
  `CREATE TABLE note_ops (
     room TEXT NOT NULL,
     author_id TEXT NOT NULL,
     op_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     result TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (room, author_id, op_id)
   );`,
  // Private rooms (issue 5): only a sha256 of the invite key is kept.
  `CREATE TABLE private_rooms (
     page TEXT NOT NULL,
     channel TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (page, channel)
   );`,
];

/** Brings `db` up to the latest schema. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema v${current} is newer than this server (v${MIGRATIONS.length})`);
  }
  MIGRATIONS.slice(current).forEach((sql, index) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + index + 1}`);
    })();
  });
}
