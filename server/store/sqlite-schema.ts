/**
 * Schema migrations of the SQLite store. The entries a file lacks run once, in order, inside
 * one transaction with the `user_version` bumps, so a crash never leaves half a migration.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { legacyPeerIdOf, PEER_ID_SECRET, peerIdOf } from '../peer-ids.js';

/** One schema step: SQL, or a function for what SQL alone cannot do. */
type Migration = string | ((db: Database.Database) => void);

/**
 * Version 4: notes keep their writer's clientId privately (per-author quotas and
 * identity expiry count by person, not by peer id), pages follow `seq`, identities
 * remember when they were last seen, and the health check has a table to try writes in.
 * Notes written before get the clientId whose legacy peer id wrote them, so their owners
 * never look like owning nothing.
 */
function notesOwners(db: Database.Database): void {
  db.exec(`
    ALTER TABLE notes ADD COLUMN client_id TEXT;
    DROP INDEX notes_by_room;
    CREATE INDEX notes_by_room ON notes (room, seq);
    CREATE INDEX notes_by_client ON notes (client_id, created_at) WHERE client_id IS NOT NULL;
    ALTER TABLE client_secrets ADD COLUMN last_seen_at TEXT;
    -- Written (and emptied) by the health check only while writes fail: can the file grow again?
    CREATE TABLE health_probe (filler BLOB NOT NULL);`);
  db.prepare('UPDATE client_secrets SET last_seen_at = ?').run(new Date().toISOString());
  db.function('legacy_peer_id', { deterministic: true }, (id) => legacyPeerIdOf(String(id)));
  db.exec(`
    CREATE TEMP TABLE legacy_peers AS
      SELECT legacy_peer_id(client_id) AS peer_id, client_id FROM client_secrets;
    CREATE INDEX temp.legacy_peers_by_peer ON legacy_peers (peer_id);
    UPDATE notes SET client_id = (SELECT client_id FROM legacy_peers WHERE peer_id = notes.author_id);
    DROP TABLE temp.legacy_peers;`);
}

/**
 * Version 5, per-room peer ids: a key of the server's own, and the notes and
 * idempotency keys of earlier authors moved from their old global id to their id in each
 * room, so everyone can still edit their own notes.
 */
function perRoomPeerIds(db: Database.Database): void {
  db.exec(`CREATE TABLE server_secrets (
     name TEXT PRIMARY KEY,
     value BLOB NOT NULL,
     created_at TEXT NOT NULL
   );`);
  const key = randomBytes(32);
  db.prepare('INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)').run(
    PEER_ID_SECRET,
    key,
    new Date().toISOString(),
  );
  // One pass over the (author, room) pairs; an index on author_id does not exist.
  const clientOf = new Map<string, string>();
  for (const { client_id: clientId } of db
    .prepare<[], { client_id: string }>('SELECT client_id FROM client_secrets')
    .all()) {
    clientOf.set(legacyPeerIdOf(clientId), clientId);
  }
  const pairs = db
    .prepare<[], { author_id: string; room: string }>(
      'SELECT DISTINCT author_id, room FROM notes UNION SELECT DISTINCT author_id, room FROM note_ops',
    )
    .all();
  const moveNotes = db.prepare('UPDATE notes SET author_id = ? WHERE author_id = ? AND room = ?');
  const moveOps = db.prepare('UPDATE note_ops SET author_id = ? WHERE author_id = ? AND room = ?');
  for (const { author_id: legacy, room } of pairs) {
    const clientId = clientOf.get(legacy);
    if (clientId === undefined) continue;
    const id = peerIdOf(key, clientId, room);
    moveNotes.run(id, legacy, room);
    moveOps.run(id, legacy, room);
  }
}

/**
 * Version 6, catch-up by revision: a revision per room, the revision of each note's
 * last change, and a tombstone per deleted note. Notes stored before get revisions 1..n per
 * room in the order they were stored, so a client's first `since` (0) reads them all.
 */
const revisions = `
  ALTER TABLE notes ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
  UPDATE notes SET revision = numbered.n
    FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY room ORDER BY seq) AS n FROM notes) AS numbered
    WHERE notes.seq = numbered.seq;
  CREATE UNIQUE INDEX notes_by_revision ON notes (room, revision);
  CREATE TABLE room_revisions (
    room TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
  );
  INSERT INTO room_revisions (room, revision) SELECT room, MAX(revision) FROM notes GROUP BY room;
  -- What a delete leaves in the change feed; kept as long as the store (docs/PROTOCOL.md).
  CREATE TABLE note_tombstones (
    id TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    revision INTEGER NOT NULL,
    deleted_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX tombstones_by_revision ON note_tombstones (room, revision);`;

const MIGRATIONS: readonly Migration[] = [
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
  // Idempotency keys of note:update / note:delete: a replayed opId answers the
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
  // Private rooms: only a sha256 of the invite key is kept.
  `CREATE TABLE private_rooms (
     page TEXT NOT NULL,
     channel TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (page, channel)
   );`,
  notesOwners,
  perRoomPeerIds,
  revisions,
];

/** Brings `db` up to the latest schema, or to version `target` (tests of a migration start below it). */
export function migrate(db: Database.Database, target = MIGRATIONS.length): void {
  // One IMMEDIATE transaction that reads the version inside it: a second server
  // opening the same file at the same moment waits for the write lock (better-sqlite3's busy
  // timeout, 5 s), then finds the migrations done instead of running them again.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema v${current} is newer than this server (v${MIGRATIONS.length})`);
    }
    MIGRATIONS.slice(current, target).forEach((step, index) => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${current + index + 1}`);
    });
  }).immediate();
}
