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
 * {@link StoreUnavailableError}: clients see `unavailable` within seconds, never a hang.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { migratePg } from './pg-schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Timeouts of every connection (docs/SECURITY.md): a stopped database costs a request seconds, not minutes. */
export const PG_TIMEOUTS = {
  /** Getting a connection from the pool, including opening one. */
  connectMs: 2_000,
  /** One statement, on the server (statement_timeout) and in the client (query_timeout). */
  queryMs: 3_000,
  /** A transaction left idle by a node that stalled is ended by the server. */
  idleInTransactionMs: 10_000,
} as const;

/**
 * SQLSTATE classes and codes that mean "not now", through no fault of the request:
 * connection exceptions (08), insufficient resources (53: disk full, out of memory, too many
 * connections), operator intervention (57: shutdown, statement timeout 57014), system errors
 * (58), and a read-only server (25006: a standby). https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const UNAVAILABLE = /^(08|53|57|58|25006)/;
/** Of those, the ones where the database answers but cannot write. */
const READ_ONLY = /^(53100|25006)/;

export interface PgStoreOptions {
  /** The clock of created/updated/seen times and quotas; tests inject one. */
  now?: () => Date;
  /** Connections this node keeps at most; 10 by default. */
  maxConnections?: number;
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
  created_at: Date;
  updated_at: Date;
}

interface PagedRow extends NoteRow {
  seq: string;
}

/** One change of a room's feed: a note as it is now, or (with `gone` set) a tombstone. */
type ChangeRow = ({ gone: false } & NoteRow) | { gone: true; id: string; revision: number };

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
    ...(row.color === null ? {} : { color: row.color }),
    ...(row.parent_id === null ? {} : { parentId: row.parent_id }),
    author: { id: row.author_id, name: row.author_name, color: row.author_color },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** One querying connection: the pool, or a client checked out for a transaction. */
type Queryable = Pick<pg.PoolClient, 'query'>;

/** Which error of the driver means the store is unavailable, and in which state. */
function unavailability(error: unknown): StoreUnavailableError | null {
  if (error instanceof StoreUnavailableError) return error;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    if (!UNAVAILABLE.test(code)) return null;
    return new StoreUnavailableError(READ_ONLY.test(code) ? 'read-only' : 'unreachable', `PG_${code}`, {
      cause: error,
    });
  }
  if (error instanceof Error) {
    // Not an answer of the server: refused or broken connections (ECONNREFUSED, ECONNRESET),
    // the pool's connect timeout, the client's query timeout, a connection ended under us.
    const code = (error as { code?: unknown }).code;
    const reason =
      typeof code === 'string' && code.startsWith('E')
        ? code
        : /timeout/i.test(error.message)
          ? 'timeout'
          : /connection|terminated|not queryable|after calling end/i.test(error.message)
            ? 'connection lost'
            : null;
    return reason === null ? null : new StoreUnavailableError('unreachable', reason, { cause: error });
  }
  return null;
}

export class PgStore implements NoteStore {
  private readonly now: () => Date;
  /** The code of the last write refused for lack of space or a read-only server, until one succeeds. */
  private writeFailure: string | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    options: PgStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Connects to `url` (postgres://...) and migrates the schema under the migration lock. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: PG_TIMEOUTS.connectMs,
      query_timeout: PG_TIMEOUTS.queryMs,
      statement_timeout: PG_TIMEOUTS.queryMs,
      idle_in_transaction_session_timeout: PG_TIMEOUTS.idleInTransactionMs,
      keepAlive: true,
      application_name: 'copresence',
    });
    // An idle connection the server closed (a restart) is dropped by the pool; without a
    // listener its error would end the process.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migratePg(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PgStore(pool, options);
  }

  /**
   * Runs one operation: a driver error that means "not now" becomes
   * {@link StoreUnavailableError} (and marks the store read-only when the server refused a
   * write for space); a write that committed clears that mark.
   */
  private async run<T>(kind: 'read' | 'write', operation: () => Promise<T>): Promise<T> {
    try {
      const value = await operation();
      if (kind === 'write') this.writeFailure = null;
      return value;
    } catch (error) {
      const unavailable = unavailability(error);
      if (!unavailable) throw error;
      if (kind === 'write' && unavailable.state === 'read-only') this.writeFailure = unavailable.reason;
      throw unavailable;
    }
  }

  /**
   * Runs `work` in one transaction, READ COMMITTED for writes, a REPEATABLE READ snapshot for
   * reads of several statements; resolves after COMMIT returned.
   */
  private transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    kind: 'read' | 'write' = 'write',
  ): Promise<T> {
    return this.run(kind, async () => {
      const client = await this.pool.connect();
      let broken: unknown = undefined;
      try {
        await client.query(kind === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const value = await work(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        broken = error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        // A client whose query failed may be mid-protocol (a timed-out query): never reuse it.
        client.release(broken === undefined ? undefined : true);
      }
    });
  }

  /** Serialises writers of `room` and of `clientId` until the transaction ends (quotas, seq order). */
  private async lockRoomAndAuthor(client: Queryable, room: string, clientId: string): Promise<void> {
    // Always room first, then author: no transaction holds an author lock while waiting for
    // a room, so two of them cannot wait for each other.
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('room:' || $1, 0))", [room]);
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('author:' || $1, 0))", [clientId]);
  }

  async list(room: string): Promise<Note[]> {
    return this.run('read', async () => {
      const { rows } = await this.pool.query<NoteRow>(
        `SELECT ${NOTE_COLUMNS} FROM notes WHERE room = $1 ORDER BY seq`,
        [room],
      );
      return rows.map(toNote);
    });
  }

  async page(room: string, after: string | null, bounds: PageBounds): Promise<NotesPage> {
    const sizeOf = bounds.sizeOf ?? ((note: Note) => Buffer.byteLength(JSON.stringify(note)));
    return this.run('read', async () => {
      const { rows } = await this.pool.query<PagedRow>(
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
    return this.transaction(async (client) => {
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

  async count(room: string, after: string | null = null): Promise<{ total: number; before: number }> {
    return this.run('read', async () => {
      const { rows } = await this.pool.query<{ total: number; before: number }>(
        `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE seq <= $2)::int AS before
         FROM notes WHERE room = $1`,
        [room, after ?? '0'],
      );
      return rows[0]!;
    });
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
    const seen = await this.run('read', () => this.byOp(this.pool, room, writer.author.id, opId));
    if (seen) return { ok: true, value: { note: toNote(seen), created: false } };
    return this.transaction(async (client): Promise<StoreResult<CreateOutcome>> => {
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
    return this.transaction(async (client): Promise<ImportOutcome> => {
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
    return this.transaction(async (client): Promise<StoreResult<WriteOutcome<Note>>> => {
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
    return this.transaction(async (client): Promise<StoreResult<WriteOutcome<DeleteOutcome>>> => {
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

  async getSecretHash(clientId: string): Promise<string | null> {
    return this.run('read', async () => {
      const { rows } = await this.pool.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      return rows[0]?.secret_hash ?? null;
    });
  }

  async claimSecretHash(clientId: string, hash: string): Promise<string> {
    const now = this.now();
    return this.run('write', async () => {
      // One statement: of two first connections (on any nodes) one row wins, both read it.
      const { rows } = await this.pool.query<{ secret_hash: string }>(
        `WITH claimed AS (
           INSERT INTO client_secrets (client_id, secret_hash, created_at, last_seen_at)
           VALUES ($1, $2, $3, $3) ON CONFLICT (client_id) DO NOTHING RETURNING secret_hash
         )
         SELECT secret_hash FROM claimed
         UNION ALL SELECT secret_hash FROM client_secrets WHERE client_id = $1`,
        [clientId, hash, now],
      );
      const stored = rows[0]?.secret_hash;
      if (stored !== undefined) return stored;
      // The row that won was committed after this statement's snapshot: read it now.
      const again = await this.pool.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      if (!again.rows[0]) throw new Error('secret hash vanished right after insert');
      return again.rows[0].secret_hash;
    });
  }

  async touchClient(clientId: string): Promise<void> {
    const now = this.now();
    await this.run('write', () =>
      this.pool.query(
        `UPDATE client_secrets SET last_seen_at = $1
         WHERE client_id = $2 AND (last_seen_at IS NULL OR last_seen_at < $3)`,
        [now, clientId, new Date(now.getTime() - DAY_MS)],
      ),
    );
  }

  async expireClients(before: Date): Promise<number> {
    return this.run('write', async () => {
      const { rowCount } = await this.pool.query(
        `DELETE FROM client_secrets
         WHERE COALESCE(last_seen_at, created_at) < $1
           AND NOT EXISTS (SELECT 1 FROM notes WHERE notes.client_id = client_secrets.client_id)`,
        [before],
      );
      return rowCount ?? 0;
    });
  }

  async createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    return this.run('write', async () => {
      const { rowCount } = await this.pool.query(
        `INSERT INTO private_rooms (page, channel, key_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (page, channel) DO NOTHING`,
        [page, channel, keyHash, this.now()],
      );
      return rowCount === 1;
    });
  }

  async getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.run('read', async () => {
      const { rows } = await this.pool.query<{ key_hash: string }>(
        'SELECT key_hash FROM private_rooms WHERE page = $1 AND channel = $2',
        [page, channel],
      );
      return rows[0]?.key_hash ?? null;
    });
  }

  async getServerSecret(name: string): Promise<Buffer> {
    return this.run('write', async () => {
      // Of two first callers (two nodes starting) one key wins, and both read it back.
      await this.pool.query(
        'INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
        [name, randomBytes(32), new Date()],
      );
      const { rows } = await this.pool.query<{ value: Buffer }>(
        'SELECT value FROM server_secrets WHERE name = $1',
        [name],
      );
      if (!rows[0]) throw new Error(`server secret ${name} vanished right after insert`);
      return rows[0].value;
    });
  }

  async ping(): Promise<void> {
    await this.run('read', () => this.pool.query('SELECT 1'));
  }

  async health(): Promise<StoreHealth> {
    let recovering: boolean;
    try {
      const { rows } = await this.run('read', () =>
        this.pool.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering'),
      );
      recovering = rows[0]!.recovering;
    } catch (error) {
      const reason = error instanceof StoreUnavailableError ? error.reason : 'ping failed';
      return { ok: false, store: 'unreachable', reason };
    }
    // A standby answers reads but refuses every write.
    if (recovering) return { ok: false, store: 'read-only', reason: 'PG_25006' };
    if (this.writeFailure !== null) {
      // Writes failed: try one, so the store recovers once space is back even without traffic.
      await this.transaction(async (client) => {
        await client.query('INSERT INTO health_probe (filler) VALUES ($1)', [Buffer.alloc(65_536)]);
        await client.query('DELETE FROM health_probe');
      }).catch(() => undefined);
    }
    return this.writeFailure === null
      ? { ok: true, store: 'ok' }
      : { ok: false, store: 'read-only', reason: this.writeFailure };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
