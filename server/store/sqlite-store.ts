/**
 * The default NoteStore: one SQLite file, `${dataDir}/copresence.db`, in WAL mode with
 * `synchronous=FULL` so a committed write survives a power cut. better-sqlite3 is
 * synchronous, so when a method's promise resolves the row is on disk and the ack may go.
 * SQLite errors that mean "not now" (full disk, I/O error, read-only file, busy, closed)
 * become {@link StoreUnavailableError}.
 */
import { randomUUID } from 'node:crypto';
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
  ForwardsAccounts,
  type NoteStore,
  type PageBounds,
  type StoreHealth,
  type StoreResult,
  type Writer,
  type WriteOutcome,
} from './note-store.js';
import { changesFrom, takeChanges, takePage, toNote, type NoteRow } from './note-rows.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { migrate } from './sqlite-schema.js';
import { prepare, walMode, type Statements } from './sqlite-statements.js';

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

/** Notes here; identities, private rooms and server secrets in sqlite-accounts.ts. */
export class SqliteStore extends ForwardsAccounts implements NoteStore {
  private readonly sql: Statements;
  private readonly now: () => Date;
  protected readonly accounts: SqliteAccounts;
  /** Rows written so far; a call that changed it proves the store can write again. */
  private writes = 0;
  /** The code of the last failed write, until a write succeeds. */
  private writeFailure: string | null = null;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
  ) {
    super();
    this.sql = prepare(db);
    this.now = options.now ?? (() => new Date());
    this.accounts = new SqliteAccounts({
      sql: this.sql,
      now: this.now,
      read: (operation) => this.run('read', operation),
      write: (operation) =>
        this.run('write', () => {
          const result = operation();
          this.writes += result.changes;
          return result;
        }),
    });
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
    return this.run('read', () =>
      takePage(
        this.sql.page.iterate(room, after === null ? 0 : Number(after), bounds.maxNotes + 1),
        after,
        bounds,
      ),
    );
  }

  async changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges> {
    // One transaction: the revision and the page are one snapshot.
    const read = this.db.transaction((): NoteChanges => {
      const revision = this.sql.revision.get(room)?.revision ?? 0;
      const from = changesFrom(since, revision);
      return takeChanges(
        this.sql.changes.iterate(room, from, room, from, bounds.maxNotes + 1),
        since,
        revision,
        bounds,
      );
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
