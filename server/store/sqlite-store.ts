/**
 * The default NoteStore: one SQLite file, `${dataDir}/copresence.db`, in WAL mode with
 * `synchronous=FULL` so a committed write survives a power cut. better-sqlite3 is
 * synchronous, so when a method's promise resolves the row is on disk and the ack may go.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Note, NoteAuthor } from '../../protocol/index.js';
import type { CreateOutcome, NoteInput, NoteStore, StoreResult, WriteOutcome } from './note-store.js';
import { migrate } from './sqlite-schema.js';

export const DB_FILE = 'copresence.db';

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
  created_at: string;
  updated_at: string;
}

const NOTE_COLUMNS = `id, room, anchor, body, color, parent_id, author_id, author_name, author_color,
  version, created_at, updated_at`;

function toNote(row: NoteRow): Note {
  return {
    id: row.id,
    room: row.room,
    version: row.version,
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

/** Statements prepared once at open; preparing per call would re-parse the SQL every time. */
function prepare(db: Database.Database) {
  return {
    list: db.prepare<[string], NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = ? ORDER BY created_at, seq`,
    ),
    byOp: db.prepare<[string, string, string], NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = ? AND author_id = ? AND op_id = ?`,
    ),
    byId: db.prepare<[string, string], NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE id = ? AND room = ?`,
    ),
    insert: db.prepare<[NoteRow & { op_id: string }]>(
      `INSERT INTO notes (op_id, ${NOTE_COLUMNS}) VALUES (@op_id, @id, @room, @anchor, @body, @color,
         @parent_id, @author_id, @author_name, @author_color, @version, @created_at, @updated_at)`,
    ),
    update: db.prepare<[string, string, string]>(
      'UPDATE notes SET body = ?, version = version + 1, updated_at = ? WHERE id = ?',
    ),
    delete: db.prepare<[string]>('DELETE FROM notes WHERE id = ?'),
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
    claimSecret: db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO client_secrets (client_id, secret_hash, created_at) VALUES (?, ?, ?)',
    ),
    createRoom: db.prepare<[string, string, string, string]>(
      'INSERT OR IGNORE INTO private_rooms (page, channel, key_hash, created_at) VALUES (?, ?, ?, ?)',
    ),
    roomKey: db.prepare<[string, string], { key_hash: string }>(
      'SELECT key_hash FROM private_rooms WHERE page = ? AND channel = ?',
    ),
    ping: db.prepare('SELECT 1'),
  };
}

export class SqliteStore implements NoteStore {
  private readonly sql: ReturnType<typeof prepare>;

  private constructor(private readonly db: Database.Database) {
    this.sql = prepare(db);
  }

  /** Opens (creating the directory and file if missing) and migrates the store under `dataDir`. */
  static open(dataDir: string): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, DB_FILE));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db);
  }

  async list(room: string): Promise<Note[]> {
    return this.sql.list.all(room).map(toNote);
  }

  async create(
    room: string,
    opId: string,
    input: NoteInput,
    author: NoteAuthor,
  ): Promise<StoreResult<CreateOutcome>> {
    return this.db.transaction((): StoreResult<CreateOutcome> => {
      // The retry check comes first: a retry must get its note even if the parent is gone since.
      const seen = this.sql.byOp.get(room, author.id, opId);
      if (seen) return { ok: true, value: { note: toNote(seen), created: false } };
      if (input.parentId !== undefined && !this.sql.byId.get(input.parentId, room)) {
        return { ok: false, reason: 'not_found' };
      }
      const now = new Date().toISOString();
      const row: NoteRow = {
        id: randomUUID(),
        room,
        anchor: JSON.stringify(input.anchor),
        body: input.body,
        color: input.color ?? null,
        parent_id: input.parentId ?? null,
        author_id: author.id,
        author_name: author.name,
        author_color: author.color,
        version: 1,
        created_at: now,
        updated_at: now,
      };
      this.sql.insert.run({ ...row, op_id: opId });
      return { ok: true, value: { note: toNote(row), created: true } };
    })();
  }

  async update(
    room: string,
    id: string,
    version: number,
    body: string,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<Note>>> {
    return this.db.transaction((): StoreResult<WriteOutcome<Note>> => {
      const replay = this.replayed<Note>(room, authorId, opId);
      if (replay) return replay;
      const checked = this.checkWrite(room, id, version, authorId);
      if (!checked.ok) return checked;
      const updatedAt = new Date().toISOString();
      this.sql.update.run(body, updatedAt, id);
      const row = checked.value;
      const note = toNote({ ...row, body, version: row.version + 1, updated_at: updatedAt });
      this.record(room, authorId, opId, 'update', note);
      return { ok: true, value: { value: note, applied: true } };
    })();
  }

  async delete(
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<{ id: string }>>> {
    return this.db.transaction((): StoreResult<WriteOutcome<{ id: string }>> => {
      const replay = this.replayed<{ id: string }>(room, authorId, opId);
      if (replay) return replay;
      const checked = this.checkWrite(room, id, version, authorId);
      if (!checked.ok) return checked;
      this.sql.delete.run(id);
      this.record(room, authorId, opId, 'delete', { id });
      return { ok: true, value: { value: { id }, applied: true } };
    })();
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
    this.sql.recordOp.run(room, authorId, opId, kind, JSON.stringify(result), new Date().toISOString());
  }

  async getSecretHash(clientId: string): Promise<string | null> {
    return this.sql.getSecret.get(clientId)?.secret_hash ?? null;
  }

  async claimSecretHash(clientId: string, hash: string): Promise<string> {
    this.sql.claimSecret.run(clientId, hash, new Date().toISOString());
    const stored = await this.getSecretHash(clientId);
    if (stored === null) throw new Error('secret hash vanished right after insert');
    return stored;
  }

  async createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    return this.sql.createRoom.run(page, channel, keyHash, new Date().toISOString()).changes === 1;
  }

  async getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.sql.roomKey.get(page, channel)?.key_hash ?? null;
  }

  async getServerSecret(name: string): Promise<Buffer> {
    // INSERT OR IGNORE: of two first callers one key wins, and both read it back.
    this.sql.claimServerSecret.run(name, randomBytes(32), new Date().toISOString());
    const row = this.sql.serverSecret.get(name);
    if (!row) throw new Error(`server secret ${name} vanished right after insert`);
    return row.value;
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

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
