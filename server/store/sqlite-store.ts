/**
 * The default NoteStore: one SQLite file, `${dataDir}/copresence.db`, in WAL mode with
 * `synchronous=FULL` so a committed write survives a power cut. better-sqlite3 is
 * synchronous, so when a method's promise resolves the row is on disk and the ack may go.
 * SQLite errors that mean "not now" (full disk, I/O error, read-only file, busy, closed)
 * become {@link StoreUnavailableError}.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Note, NotesPage } from '../../protocol/index.js';
import {
  StoreUnavailableError,
  type CreateOutcome,
  type DeleteOutcome,
  type ImportItem,
  type ImportOutcome,
  type NoteChanges,
  type NoteInput,
  type NoteStore,
  type PageBounds,
  type StoreHealth,
  type StoreResult,
  type Writer,
  type WriteOutcome,
} from './note-store.js';
import { migrate } from './sqlite-schema.js';

export const DB_FILE = 'copresence.db';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Result codes (primary, extended ones start with them) of a database that cannot serve
 * now through no fault of the request: https://www.sqlite.org/rescode.html
 */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|NOMEM|PROTOCOL|CORRUPT|NOTADB)/;

export interface SqliteStoreOptions {
  /** The clock of created/updated/seen times and quotas; tests inject one. */
  now?: () => Date;
}

interface NoteRow {
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
  created_at: string;
  updated_at: string;
}

interface PagedRow extends NoteRow {
  seq: number;
}

/** One change of a room's feed: a note as it is now, or (with `gone` set) a tombstone. */
type ChangeRow = ({ gone: 0 } & NoteRow) | { gone: 1; id: string; revision: number };

const NOTE_COLUMNS = `id, room, anchor, body, color, parent_id, author_id, author_name, author_color,
  version, revision, created_at, updated_at`;

function toNote(row: NoteRow): Note {
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Switches the file to WAL. The switch needs the file to itself, and SQLite answers BUSY at
 * once (no busy handler) while another process opens the same new file; that is a few
 * milliseconds of the other process's work, so a short wait and a retry is enough. Start-up
 * only, so blocking the thread for it is fine.
 */
function walMode(db: Database.Database): void {
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
function prepare(db: Database.Database) {
  return {
    list: db.prepare<[string], NoteRow>(`SELECT ${NOTE_COLUMNS} FROM notes WHERE room = ? ORDER BY seq`),
    page: db.prepare<[string, number, number], PagedRow>(
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

export class SqliteStore implements NoteStore {
  private readonly sql: ReturnType<typeof prepare>;
  private readonly now: () => Date;
  /** Rows written so far; a call that changed it proves the store can write again. */
  private writes = 0;
  /** The code of the last failed write, until a write succeeds. */
  private writeFailure: string | null = null;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
  ) {
    this.sql = prepare(db);
    this.now = options.now ?? (() => new Date());
  }

  /** Opens (creating the directory and file if missing) and migrates the store under `dataDir`. */
  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, DB_FILE));
    try {
      walMode(db);
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db, options);
  }

  /**
   * Runs one store operation: an SQLite error that means "not now" becomes
   * {@link StoreUnavailableError}, and marks the store read-only when it was a write; a call
   * that wrote a row clears that mark.
   */
  private run<T>(kind: 'read' | 'write', operation: () => T): T {
    const writes = this.writes;
    try {
      const value = operation();
      if (this.writes !== writes) this.writeFailure = null;
      return value;
    } catch (error) {
      if (!this.db.open) throw new StoreUnavailableError('unreachable', 'closed', { cause: error });
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !UNAVAILABLE.test(code)) throw error;
      if (kind === 'write') this.writeFailure = code;
      throw new StoreUnavailableError(kind === 'write' ? 'read-only' : 'unreachable', code, { cause: error });
    }
  }

  /**
   * Caps the file at its current size plus `extraPages` pages (null lifts the cap): a write
   * that needs more fails with SQLITE_FULL exactly as on a full disk. For tests and drills.
   */
  capFileSize(extraPages: number | null): void {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    this.db.pragma(`max_page_count = ${extraPages === null ? 0xfffffffe : pages + extraPages}`);
  }

  async list(room: string): Promise<Note[]> {
    return this.run('read', () => this.sql.list.all(room).map(toNote));
  }

  async page(room: string, after: string | null, bounds: PageBounds): Promise<NotesPage> {
    const sizeOf = bounds.sizeOf ?? ((note: Note) => Buffer.byteLength(JSON.stringify(note)));
    return this.run('read', () => {
      const notes: Note[] = [];
      let bytes = 0;
      let last = after === null ? 0 : Number(after);
      let more = false;
      // One row more than a page holds says whether another page follows.
      for (const row of this.sql.page.iterate(room, last, bounds.maxNotes + 1)) {
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
      return { notes, next: more ? String(last) : null };
    });
  }

  async changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges> {
    const sizeOf = bounds.sizeOf ?? ((note: Note) => Buffer.byteLength(JSON.stringify(note)));
    // One transaction: the revision and the page are one snapshot.
    const read = this.db.transaction((): NoteChanges => {
      const revision = this.sql.revision.get(room)?.revision ?? 0;
      const reset = since > revision;
      const page: NoteChanges = { notes: [], deleted: [], next: null, revision, reset };
      let last = reset ? 0 : since;
      let count = 0;
      let bytes = 0;
      // One row more than a page holds says whether another page follows.
      for (const row of this.sql.changes.iterate(room, last, room, last, bounds.maxNotes + 1)) {
        const note = row.gone === 1 ? null : toNote(row);
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
    });
    return this.run('read', () => read());
  }

  async count(room: string, after: string | null = null): Promise<{ total: number; before: number }> {
    return this.run('read', () => ({
      total: this.sql.countRoom.get(room)!.n,
      before: after === null ? 0 : this.sql.countBefore.get(room, Number(after))!.n,
    }));
  }

  async create(
    room: string,
    opId: string,
    input: NoteInput,
    writer: Writer,
  ): Promise<StoreResult<CreateOutcome>> {
    const transaction = this.db.transaction((): StoreResult<CreateOutcome> => {
      // The retry check comes first: a retry must get its note even if the parent is gone since.
      const seen = this.sql.byOp.get(room, writer.author.id, opId);
      if (seen) return { ok: true, value: { note: toNote(seen), created: false } };
      if (input.parentId !== undefined && !this.sql.byId.get(input.parentId, room)) {
        return { ok: false, reason: 'not_found' };
      }
      const quota = this.quotaLeft(room, writer);
      if (quota.room <= 0) return { ok: false, reason: 'too_large' };
      if (quota.author <= 0) return { ok: false, reason: 'rate_limited' };
      return { ok: true, value: { note: this.insert(room, opId, input, writer), created: true } };
    });
    return this.run('write', () => transaction());
  }

  async importNotes(
    room: string,
    items: readonly ImportItem[],
    writer: Writer,
    take: () => boolean,
  ): Promise<ImportOutcome> {
    const transaction = this.db.transaction((): ImportOutcome => {
      const outcome: ImportOutcome = { created: [], unchanged: 0, remaining: 0, stoppedBy: null };
      // Counted once; the loop keeps them up to date as it inserts.
      const quota = this.quotaLeft(room, writer);
      // The note id each item became (or already was), for replies to it later in the import.
      const ids: Array<string | undefined> = [];
      for (const [index, item] of items.entries()) {
        const seen = this.sql.byOp.get(room, writer.author.id, item.opId);
        if (seen) {
          ids[index] = seen.id;
          outcome.unchanged++;
          continue;
        }
        const parent = item.parent;
        const parentId =
          parent === undefined
            ? undefined
            : 'index' in parent
              ? ids[parent.index]
              : (this.sql.byOp.get(room, writer.author.id, parent.opId)?.id ?? parent.otherwise);
        outcome.stoppedBy =
          quota.room <= 0 ? 'too_large' : quota.author <= 0 ? 'rate_limited' : take() ? null : 'budget';
        if (outcome.stoppedBy !== null) {
          outcome.remaining = items.length - index;
          break;
        }
        const note = this.insert(room, item.opId, { ...item.input, parentId }, writer);
        quota.room--;
        quota.author--;
        ids[index] = note.id;
        outcome.created.push(note);
      }
      return outcome;
    });
    return this.run('write', () => transaction());
  }

  /** How many more notes the room and the writer may store now; read inside the write's transaction. */
  private quotaLeft(room: string, writer: Writer): { room: number; author: number } {
    const since = new Date(this.now().getTime() - DAY_MS).toISOString();
    return {
      room: writer.quota.perRoom - this.sql.countRoom.get(room)!.n,
      author: writer.quota.perAuthorPerDay - this.sql.countAuthorSince.get(writer.clientId, since)!.n,
    };
  }

  /** The room's next revision; only inside the transaction of the change it numbers. */
  private bump(room: string): number {
    return this.sql.bumpRevision.get(room)!.revision;
  }

  private insert(room: string, opId: string, input: NoteInput, writer: Writer): Note {
    const now = this.now().toISOString();
    const row: NoteRow = {
      id: randomUUID(),
      room,
      anchor: JSON.stringify(input.anchor),
      body: input.body,
      color: input.color ?? null,
      parent_id: input.parentId ?? null,
      author_id: writer.author.id,
      author_name: writer.author.name,
      author_color: writer.author.color,
      version: 1,
      revision: this.bump(room),
      created_at: now,
      updated_at: now,
    };
    this.sql.insert.run({ ...row, op_id: opId, client_id: writer.clientId });
    this.writes++;
    return toNote(row);
  }

  async update(
    room: string,
    id: string,
    version: number,
    body: string,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<Note>>> {
    const transaction = this.db.transaction((): StoreResult<WriteOutcome<Note>> => {
      const replay = this.replayed<Note>(room, authorId, opId);
      if (replay) return replay;
      const checked = this.checkWrite(room, id, version, authorId);
      if (!checked.ok) return checked;
      const updatedAt = this.now().toISOString();
      const revision = this.bump(room);
      this.sql.update.run(body, revision, updatedAt, id);
      this.writes++;
      const row = checked.value;
      const note = toNote({ ...row, body, version: row.version + 1, revision, updated_at: updatedAt });
      this.record(room, authorId, opId, 'update', note);
      return { ok: true, value: { value: note, applied: true } };
    });
    return this.run('write', () => transaction());
  }

  async delete(
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<DeleteOutcome>>> {
    const transaction = this.db.transaction((): StoreResult<WriteOutcome<DeleteOutcome>> => {
      const replay = this.replayed<DeleteOutcome>(room, authorId, opId);
      if (replay) return replay;
      const checked = this.checkWrite(room, id, version, authorId);
      if (!checked.ok) return checked;
      const revision = this.bump(room);
      this.sql.delete.run(id);
      this.sql.tombstone.run(id, room, revision, this.now().toISOString());
      this.writes++;
      const outcome = { id, revision };
      this.record(room, authorId, opId, 'delete', outcome);
      return { ok: true, value: { value: outcome, applied: true } };
    });
    return this.run('write', () => transaction());
  }

  /** The first outcome of a repeated opId, or null for a new (or absent) one. */
  private replayed<T>(
    room: string,
    authorId: string,
    opId: string | undefined,
  ): StoreResult<WriteOutcome<T>> | null {
    if (opId === undefined) return null;
    const seen = this.sql.opResult.get(room, authorId, opId);
    return seen ? { ok: true, value: { value: JSON.parse(seen.result) as T, applied: false } } : null;
  }

  private record(
    room: string,
    authorId: string,
    opId: string | undefined,
    kind: string,
    result: unknown,
  ): void {
    if (opId === undefined) return;
    this.sql.recordOp.run(room, authorId, opId, kind, JSON.stringify(result), this.now().toISOString());
  }

  async getSecretHash(clientId: string): Promise<string | null> {
    return this.run('read', () => this.sql.getSecret.get(clientId)?.secret_hash ?? null);
  }

  async claimSecretHash(clientId: string, hash: string): Promise<string> {
    const now = this.now().toISOString();
    this.run('write', () => {
      this.writes += this.sql.claimSecret.run(clientId, hash, now, now).changes;
    });
    const stored = await this.getSecretHash(clientId);
    if (stored === null) throw new Error('secret hash vanished right after insert');
    return stored;
  }

  async touchClient(clientId: string): Promise<void> {
    const now = this.now();
    const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
    this.run('write', () => {
      this.writes += this.sql.touchClient.run(now.toISOString(), clientId, dayAgo).changes;
    });
  }

  async expireClients(before: Date): Promise<number> {
    return this.run('write', () => {
      const { changes } = this.sql.expireClients.run(before.toISOString());
      this.writes += changes;
      return changes;
    });
  }

  async createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    return this.run('write', () => {
      const { changes } = this.sql.createRoom.run(page, channel, keyHash, this.now().toISOString());
      this.writes += changes;
      return changes === 1;
    });
  }

  async getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.run('read', () => this.sql.roomKey.get(page, channel)?.key_hash ?? null);
  }

  async getServerSecret(name: string): Promise<Buffer> {
    // INSERT OR IGNORE: of two first callers one key wins, and both read it back.
    this.sql.claimServerSecret.run(name, randomBytes(32), new Date().toISOString());
    const row = this.sql.serverSecret.get(name);
    if (!row) throw new Error(`server secret ${name} vanished right after insert`);
    return row.value;
  }

  async ping(): Promise<void> {
    this.run('read', () => this.sql.ping.get());
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.ping();
    } catch (error) {
      const reason = error instanceof StoreUnavailableError ? error.reason : 'ping failed';
      return { ok: false, store: 'unreachable', reason };
    }
    if (this.writeFailure !== null) {
      // Writes failed: try one, so the store recovers once space is back even without traffic.
      try {
        this.run('write', this.probe);
      } catch {
        // Still failing; run() kept the reason.
      }
    }
    return this.writeFailure === null
      ? { ok: true, store: 'ok' }
      : { ok: false, store: 'read-only', reason: this.writeFailure };
  }

  /** One committed write that needs 64 KiB more of the file and leaves nothing behind. */
  private readonly probe = (): void => {
    this.db.transaction(() => {
      this.sql.probeWrite.run();
      this.sql.probeClear.run();
    })();
    this.writes++;
  };

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The shared checks of update and delete, in the order a client can act on them. */
  private checkWrite(room: string, id: string, version: number, authorId: string): StoreResult<NoteRow> {
    const row = this.sql.byId.get(id, room);
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.author_id !== authorId) return { ok: false, reason: 'forbidden' };
    if (row.version !== version) return { ok: false, reason: 'conflict' };
    return { ok: true, value: row };
  }
}
