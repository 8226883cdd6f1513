/**
 * The shared NoteStore: PostgreSQL through node-postgres, so several server
 * nodes keep one truth. Same semantics as SqliteStore, enforced by the database rather than
 * by one process:
 * - an opId stores one note on any node: a unique constraint and INSERT ... ON CONFLICT DO
 *   NOTHING, then a read of the row that won;
 * - version checks under SELECT ... FOR UPDATE, so of two concurrent updates one wins and
 *   the other sees the new version (`conflict`), or replays the first outcome for its opId;
 * - quotas counted in the insert's transaction under advisory locks of the room and the
 *   author (READ COMMITTED alone would let two nodes both see room for one more note);
 * - a promise resolves after COMMIT returned, so the ack follows durability.
 * A connection that fails or a query that outlasts its timeout becomes
 * StoreUnavailableError (pg-database.ts): clients see `unavailable` within seconds, never a hang.
 */
import { randomUUID } from 'node:crypto';
import type { Note, NotesPage } from '../../protocol/index.js';
import type {
  CreateOutcome,
  DeleteOutcome,
  ImportItem,
  ImportOutcome,
  NoteChanges,
  NoteInput,
  NoteStore,
  PageBounds,
  StoreHealth,
  StoreResult,
  Writer,
  WriteOutcome,
} from './note-store.js';
import { ForwardsAccounts } from './note-store.js';
import { PgAccounts } from './pg-accounts.js';
import { PgDatabase, type Queryable } from './pg-database.js';
import { PgNoteReads } from './pg-note-reads.js';
import { NOTE_COLUMNS, toNote, type NoteRow } from './note-rows.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PgStoreOptions {
  /** The clock of created/updated/seen times and quotas; tests inject one. */
  now?: () => Date;
  /** Connections this node keeps at most; 10 by default. */
  maxConnections?: number;
}

/** Notes here; identities, private rooms and server secrets in pg-accounts.ts. */
export class PgStore extends ForwardsAccounts implements NoteStore {
  private readonly now: () => Date;
  protected readonly accounts: PgAccounts;
  private readonly reads: PgNoteReads;

  private constructor(
    private readonly db: PgDatabase,
    options: PgStoreOptions,
  ) {
    super();
    this.now = options.now ?? (() => new Date());
    this.accounts = new PgAccounts(db, this.now);
    this.reads = new PgNoteReads(db);
  }

  /** Connects to `url` (postgres://...) and migrates the schema under the migration lock. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    return new PgStore(await PgDatabase.open(url, options.maxConnections), options);
  }

  // Reads: pg-note-reads.ts.
  list(room: string): Promise<Note[]> {
    return this.reads.list(room);
  }
  page(room: string, after: string | null, bounds: PageBounds): Promise<NotesPage> {
    return this.reads.page(room, after, bounds);
  }
  changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges> {
    return this.reads.changes(room, since, bounds);
  }
  count(room: string, after: string | null = null): Promise<{ total: number; before: number }> {
    return this.reads.count(room, after);
  }

  // Connection, health and shutdown: pg-database.ts.
  ping(): Promise<void> {
    return this.db.ping();
  }
  health(): Promise<StoreHealth> {
    return this.db.health();
  }
  close(): Promise<void> {
    return this.db.close();
  }

  /** Serialises writers of `room` and of `clientId` until the transaction ends (quotas, seq order). */
  private async lockRoomAndAuthor(client: Queryable, room: string, clientId: string): Promise<void> {
    // Always room first, then author: no transaction holds an author lock while waiting for
    // a room, so two of them cannot wait for each other.
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('room:' || $1, 0))", [room]);
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('author:' || $1, 0))", [clientId]);
  }

  /**
   * The room's next revision; only inside the transaction of the change it numbers. The
   * upsert locks the room's row until commit, so the room's writers commit in revision order.
   */
  private async bump(client: Queryable, room: string): Promise<number> {
    const { rows } = await client.query<{ revision: number }>(
      `INSERT INTO room_revisions (room, revision) VALUES ($1, 1)
       ON CONFLICT (room) DO UPDATE SET revision = room_revisions.revision + 1 RETURNING revision`,
      [room],
    );
    return rows[0]!.revision;
  }

  private async byOp(
    client: Queryable,
    room: string,
    authorId: string,
    opId: string,
  ): Promise<NoteRow | null> {
    const { rows } = await client.query<NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = $1 AND author_id = $2 AND op_id = $3`,
      [room, authorId, opId],
    );
    return rows[0] ?? null;
  }

  async create(
    room: string,
    opId: string,
    input: NoteInput,
    writer: Writer,
  ): Promise<StoreResult<CreateOutcome>> {
    // A retry is answered without locks: the stored note is what it gets, whatever changed since.
    const seen = await this.db.run('read', () => this.byOp(this.db.pool, room, writer.author.id, opId));
    if (seen) return { ok: true, value: { note: toNote(seen), created: false } };
    return this.db.transaction(async (client): Promise<StoreResult<CreateOutcome>> => {
      await this.lockRoomAndAuthor(client, room, writer.clientId);
      if (input.parentId !== undefined) {
        const parent = await client.query('SELECT 1 FROM notes WHERE id = $1 AND room = $2', [
          input.parentId,
          room,
        ]);
        if (parent.rowCount === 0) {
          // The same opId may have been stored meanwhile (on another node): that answer wins.
          const stored = await this.byOp(client, room, writer.author.id, opId);
          return stored
            ? { ok: true, value: { note: toNote(stored), created: false } }
            : { ok: false, reason: 'not_found' };
        }
      }
      const quota = await this.quotaLeft(client, room, writer);
      if (quota.room <= 0 || quota.author <= 0) {
        const stored = await this.byOp(client, room, writer.author.id, opId);
        if (stored) return { ok: true, value: { note: toNote(stored), created: false } };
        return { ok: false, reason: quota.room <= 0 ? 'too_large' : 'rate_limited' };
      }
      return { ok: true, value: await this.insert(client, room, opId, input, writer) };
    });
  }

  async importNotes(
    room: string,
    items: readonly ImportItem[],
    writer: Writer,
    take: () => boolean,
  ): Promise<ImportOutcome> {
    return this.db.transaction(async (client): Promise<ImportOutcome> => {
      await this.lockRoomAndAuthor(client, room, writer.clientId);
      const outcome: ImportOutcome = { created: [], unchanged: 0, remaining: 0, stoppedBy: null };
      const quota = await this.quotaLeft(client, room, writer);
      const ids: Array<string | undefined> = [];
      for (const [index, item] of items.entries()) {
        const seen = await this.byOp(client, room, writer.author.id, item.opId);
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
              : ((await this.byOp(client, room, writer.author.id, parent.opId))?.id ?? parent.otherwise);
        outcome.stoppedBy =
          quota.room <= 0 ? 'too_large' : quota.author <= 0 ? 'rate_limited' : take() ? null : 'budget';
        if (outcome.stoppedBy !== null) {
          outcome.remaining = items.length - index;
          break;
        }
        const { note, created } = await this.insert(
          client,
          room,
          item.opId,
          { ...item.input, parentId },
          writer,
        );
        ids[index] = note.id;
        if (!created) {
          outcome.unchanged++;
          continue;
        }
        quota.room--;
        quota.author--;
        outcome.created.push(note);
      }
      return outcome;
    });
  }

  /** How many more notes the room and the writer may store now; read under their locks. */
  private async quotaLeft(
    client: Queryable,
    room: string,
    writer: Writer,
  ): Promise<{ room: number; author: number }> {
    const since = new Date(this.now().getTime() - DAY_MS);
    const { rows } = await client.query<{ room: number; author: number }>(
      `SELECT (SELECT COUNT(*)::int FROM notes WHERE room = $1) AS room,
              (SELECT COUNT(*)::int FROM notes WHERE client_id = $2 AND created_at > $3) AS author`,
      [room, writer.clientId, since],
    );
    const counts = rows[0]!;
    return { room: writer.quota.perRoom - counts.room, author: writer.quota.perAuthorPerDay - counts.author };
  }

  /**
   * Inserts the note unless its (room, author, opId) is stored already, which the unique
   * constraint decides; then the stored one is read back with `created: false`.
   */
  private async insert(
    client: Queryable,
    room: string,
    opId: string,
    input: NoteInput,
    writer: Writer,
  ): Promise<CreateOutcome> {
    const now = this.now();
    const revision = await this.bump(client, room);
    const inserted = await client.query<NoteRow>(
      `INSERT INTO notes (op_id, client_id, id, room, anchor, body, color, parent_id, author_id,
         author_name, author_color, version, revision, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $13, $12, $12)
       ON CONFLICT (room, author_id, op_id) DO NOTHING
       RETURNING ${NOTE_COLUMNS}`,
      [
        opId,
        writer.clientId,
        randomUUID(),
        room,
        JSON.stringify(input.anchor),
        input.body,
        input.color ?? null,
        input.parentId ?? null,
        writer.author.id,
        writer.author.name,
        writer.author.color,
        now,
        revision,
      ],
    );
    const row = inserted.rows[0];
    if (row) return { note: toNote(row), created: true };
    // Stored meanwhile under this opId: give the revision back (its row is still locked by
    // this transaction, so nobody numbered a change after it) and answer the stored note.
    await client.query('UPDATE room_revisions SET revision = revision - 1 WHERE room = $1', [room]);
    const stored = await this.byOp(client, room, writer.author.id, opId);
    if (!stored) throw new Error('note vanished right after its opId conflicted');
    return { note: toNote(stored), created: false };
  }

  async update(
    room: string,
    id: string,
    version: number,
    body: string,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<Note>>> {
    return this.db.transaction(async (client): Promise<StoreResult<WriteOutcome<Note>>> => {
      const checked = await this.checkWrite(client, room, id, version, authorId, opId);
      if (checked.kind === 'replay') return checked.result as StoreResult<WriteOutcome<Note>>;
      if (!checked.result.ok) return checked.result;
      const revision = await this.bump(client, room);
      const { rows } = await client.query<NoteRow>(
        `UPDATE notes SET body = $1, version = version + 1, revision = $2, updated_at = $3 WHERE id = $4
         RETURNING ${NOTE_COLUMNS}`,
        [body, revision, this.now(), id],
      );
      const note = toNote(rows[0]!);
      await this.record(client, room, authorId, opId, 'update', note);
      return { ok: true, value: { value: note, applied: true } };
    });
  }

  async delete(
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<DeleteOutcome>>> {
    return this.db.transaction(async (client): Promise<StoreResult<WriteOutcome<DeleteOutcome>>> => {
      const checked = await this.checkWrite(client, room, id, version, authorId, opId);
      if (checked.kind === 'replay') return checked.result as StoreResult<WriteOutcome<DeleteOutcome>>;
      if (!checked.result.ok) return checked.result;
      const revision = await this.bump(client, room);
      await client.query('DELETE FROM notes WHERE id = $1', [id]);
      await client.query(
        'INSERT INTO note_tombstones (id, room, revision, deleted_at) VALUES ($1, $2, $3, $4)',
        [id, room, revision, this.now()],
      );
      const outcome = { id, revision };
      await this.record(client, room, authorId, opId, 'delete', outcome);
      return { ok: true, value: { value: outcome, applied: true } };
    });
  }

  /**
   * The checks of update and delete. The note's row is locked first (FOR UPDATE), so a
   * concurrent write of it on any node has committed before the checks read: the version is
   * current, and a concurrent replay of the same opId finds the first one's outcome.
   */
  private async checkWrite(
    client: Queryable,
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId: string | undefined,
  ): Promise<
    | { kind: 'replay'; result: StoreResult<WriteOutcome<unknown>> }
    | { kind: 'checked'; result: StoreResult<NoteRow> }
  > {
    const { rows } = await client.query<NoteRow>(
      `SELECT ${NOTE_COLUMNS} FROM notes WHERE id = $1 AND room = $2 FOR UPDATE`,
      [id, room],
    );
    if (opId !== undefined) {
      const seen = await client.query<{ result: string }>(
        'SELECT result FROM note_ops WHERE room = $1 AND author_id = $2 AND op_id = $3',
        [room, authorId, opId],
      );
      const first = seen.rows[0];
      if (first) {
        return {
          kind: 'replay',
          result: { ok: true, value: { value: JSON.parse(first.result), applied: false } },
        };
      }
    }
    const row = rows[0];
    if (!row) return { kind: 'checked', result: { ok: false, reason: 'not_found' } };
    if (row.author_id !== authorId) return { kind: 'checked', result: { ok: false, reason: 'forbidden' } };
    if (row.version !== version) return { kind: 'checked', result: { ok: false, reason: 'conflict' } };
    return { kind: 'checked', result: { ok: true, value: row } };
  }

  private async record(
    client: Queryable,
    room: string,
    authorId: string,
    opId: string | undefined,
    kind: string,
    result: unknown,
  ): Promise<void> {
    if (opId === undefined) return;
    await client.query(
      'INSERT INTO note_ops (room, author_id, op_id, kind, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [room, authorId, opId, kind, JSON.stringify(result), this.now()],
    );
  }
}
