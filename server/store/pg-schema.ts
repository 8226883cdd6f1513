/**
 * Schema migrations of the PostgreSQL store. The server runs them at start; every
 * server of a cluster may start at the same moment, so they run in one transaction that first
 * takes a transaction-level advisory lock: the first server migrates, the others wait for its
 * commit, then find nothing left to do. DDL is transactional in PostgreSQL, so a crash never
 * leaves half a migration, and `schema_migrations` lists the versions applied.
 */
import type pg from 'pg';

/** The advisory lock key of migrations: any constant no other lock of ours uses. */
export const MIGRATION_LOCK = 0x636f7072; // 'copr'

const MIGRATIONS: readonly string[] = [
  // Version 1: the schema of SQLite version 5, with types of PostgreSQL's own.
  `CREATE TABLE notes (
     -- the order notes were stored in; the room's advisory lock makes it their commit order too
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     room TEXT NOT NULL,
     op_id TEXT NOT NULL,
     -- never sent on the wire: per-author quotas and identity expiry count by person
     client_id TEXT,
     -- the JSON exactly as the client's anchor was serialised (jsonb would reorder keys)
     anchor TEXT NOT NULL,
     body TEXT NOT NULL,
     color TEXT,
     parent_id TEXT,
     author_id TEXT NOT NULL,
     author_name TEXT NOT NULL,
     author_color TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL,
     -- the idempotency key, enforced by the database on every node
     UNIQUE (room, author_id, op_id)
   );
   CREATE INDEX notes_by_room ON notes (room, seq);
   CREATE INDEX notes_by_client ON notes (client_id, created_at) WHERE client_id IS NOT NULL;
   CREATE TABLE note_ops (
     room TEXT NOT NULL,
     author_id TEXT NOT NULL,
     op_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     result TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (room, author_id, op_id)
   );
   CREATE TABLE client_secrets (
     client_id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     last_seen_at TIMESTAMPTZ
   );
   CREATE TABLE private_rooms (
     page TEXT NOT NULL,
     channel TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (page, channel)
   );
   CREATE TABLE server_secrets (
     name TEXT PRIMARY KEY,
     value BYTEA NOT NULL,
     created_at TIMESTAMPTZ NOT NULL
   );
   -- written (and emptied) by the health check only while writes fail
   CREATE TABLE health_probe (filler BYTEA NOT NULL);`,
  // Version 2, catch-up by revision, as SQLite's version 6: a revision per room,
  // bumped on its room_revisions row (whose row lock orders the room's writers until commit,
  // so revisions are gap-free and commit in order; a sequence would give neither), the
  // revision of each note's last change, and a tombstone per deleted note. Notes stored
  // before get revisions 1..n per room in the order they were stored.
  `ALTER TABLE notes ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
   UPDATE notes SET revision = numbered.n
     FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY room ORDER BY seq) AS n FROM notes) AS numbered
     WHERE notes.seq = numbered.seq;
   CREATE UNIQUE INDEX notes_by_revision ON notes (room, revision);
   CREATE TABLE room_revisions (
     room TEXT PRIMARY KEY,
     revision INTEGER NOT NULL
   );
   INSERT INTO room_revisions (room, revision) SELECT room, MAX(revision) FROM notes GROUP BY room;
   CREATE TABLE note_tombstones (
     id TEXT PRIMARY KEY,
     room TEXT NOT NULL,
     revision INTEGER NOT NULL,
     deleted_at TIMESTAMPTZ NOT NULL
   );
   CREATE UNIQUE INDEX tombstones_by_revision ON note_tombstones (room, revision);`,
];

/** The newest schema version this server knows. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database of `client` up to the latest schema (or to `target`), under the
 * migration lock; answers the versions it applied. Throws when the database is newer.
 */
export async function migratePg(client: pg.ClientBase, target = MIGRATIONS.length): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ current: number | null }>(
      'SELECT max(version) AS current FROM schema_migrations',
    );
    const current = rows[0]?.current ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema v${current} is newer than this server (v${MIGRATIONS.length})`);
    }
    const applied: number[] = [];
    for (let version = current + 1; version <= target; version++) {
      await client.query(MIGRATIONS[version - 1]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
