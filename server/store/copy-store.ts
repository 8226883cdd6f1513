/**
 * Copies a SQLite store into a PostgreSQL one (`npm run migrate:store`): every note
 * with its revision, reply link, owner and idempotency key, the update/delete op records,
 * tombstones and room revisions, identities, private rooms and the server secrets, the
 * peer-id key above all (peer ids are HMACs under it: with another key nobody could edit
 * their notes any more). Idempotent: every row goes in with ON CONFLICT DO NOTHING, so a
 * second run copies nothing and changes nothing. All in one transaction: a failure leaves the
 * target as it was.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrate } from './sqlite-schema.js';
import { PgStore } from './pg-store.js';

/** Rows of one table: how many the source has, and how many the copy added. */
export interface TableCount {
  table: string;
  source: number;
  copied: number;
}

/** The target already holds data the copy cannot merge with; nothing was copied. */
export class CopyConflictError extends Error {
  override name = 'CopyConflictError';
}

interface Table {
  name: string;
  /** Columns with their PostgreSQL types, in the order of the SQLite SELECT. */
  columns: Array<[string, string]>;
  select: string;
  /** What a row the target has already does: nothing, or (room revisions) keep the higher. */
  onConflict: string;
}

const TABLES: readonly Table[] = [
  {
    name: 'server_secrets',
    columns: [
      ['name', 'text'],
      ['value', 'bytea'],
      ['created_at', 'timestamptz'],
    ],
    select: 'SELECT name, value, created_at FROM server_secrets ORDER BY name',
    onConflict: 'ON CONFLICT DO NOTHING',
  },
  {
    name: 'client_secrets',
    columns: [
      ['client_id', 'text'],
      ['secret_hash', 'text'],
      ['created_at', 'timestamptz'],
      ['last_seen_at', 'timestamptz'],
    ],
    select: 'SELECT client_id, secret_hash, created_at, last_seen_at FROM client_secrets ORDER BY client_id',
    onConflict: 'ON CONFLICT DO NOTHING',
  },
  {
    name: 'private_rooms',
    columns: [
      ['page', 'text'],
      ['channel', 'text'],
      ['key_hash', 'text'],
      ['created_at', 'timestamptz'],
    ],
    select: 'SELECT page, channel, key_hash, created_at FROM private_rooms ORDER BY page, channel',
    onConflict: 'ON CONFLICT DO NOTHING',
  },
  {
    name: 'notes',
    columns: [
      ['id', 'text'],
      ['room', 'text'],
      ['op_id', 'text'],
      ['client_id', 'text'],
      ['anchor', 'text'],
      ['body', 'text'],
      ['color', 'text'],
      ['parent_id', 'text'],
      ['author_id', 'text'],
      ['author_name', 'text'],
      ['author_color', 'text'],
      ['version', 'integer'],
      ['revision', 'integer'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
    ],
    // In stored order, so PostgreSQL's seq (export pages) keeps it.
    select: `SELECT id, room, op_id, client_id, anchor, body, color, parent_id, author_id, author_name,
      author_color, version, revision, created_at, updated_at FROM notes ORDER BY seq`,
    onConflict: 'ON CONFLICT DO NOTHING',
  },
  {
    name: 'note_tombstones',
    columns: [
      ['id', 'text'],
      ['room', 'text'],
      ['revision', 'integer'],
      ['deleted_at', 'timestamptz'],
    ],
    select: 'SELECT id, room, revision, deleted_at FROM note_tombstones ORDER BY room, revision',
    onConflict: 'ON CONFLICT DO NOTHING',
  },
  {
    name: 'room_revisions',
    columns: [
      ['room', 'text'],
      ['revision', 'integer'],
    ],
    select: 'SELECT room, revision FROM room_revisions ORDER BY room',
    onConflict: `ON CONFLICT (room) DO UPDATE SET revision = GREATEST(room_revisions.revision, EXCLUDED.revision)
      WHERE room_revisions.revision < EXCLUDED.revision`,
  },
  {
    name: 'note_ops',
    columns: [
      ['room', 'text'],
      ['author_id', 'text'],
      ['op_id', 'text'],
      ['kind', 'text'],
      ['result', 'text'],
      ['created_at', 'timestamptz'],
    ],
    select:
      'SELECT room, author_id, op_id, kind, result, created_at FROM note_ops ORDER BY room, author_id, op_id',
    onConflict: 'ON CONFLICT DO NOTHING',
  },
];

/** Rows per INSERT: one statement of arrays (unnest) per batch. */
const BATCH = 1_000;

/**
 * Copies the SQLite file `from` (migrated to the current schema first, as the server would)
 * into the PostgreSQL database at `to` (migrated too). Throws {@link CopyConflictError} when
 * the target has another peer-id key or notes that clash with the source's.
 */
export async function copySqliteToPg(from: string, to: string): Promise<TableCount[]> {
  const source = new Database(from, { fileMustExist: true });
  try {
    migrate(source);
    // The target's schema, made under the migration lock like any server start.
    await (await PgStore.open(to)).close();
    const target = new pg.Client({ connectionString: to });
    await target.connect();
    try {
      await target.query('BEGIN');
      // Servers on the target wait while the copy runs; it is one consistent step for them.
      await target.query('LOCK TABLE notes, note_tombstones, room_revisions IN SHARE ROW EXCLUSIVE MODE');
      await checkKeys(source, target);
      const counts: TableCount[] = [];
      for (const table of TABLES) counts.push(await copyTable(source, target, table));
      await checkNotes(source, target);
      await target.query('COMMIT');
      return counts;
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await target.end();
    }
  } finally {
    source.close();
  }
}

async function copyTable(source: Database.Database, target: pg.Client, table: Table): Promise<TableCount> {
  const rows = source.prepare(table.select).raw().all() as unknown[][];
  const names = table.columns.map(([name]) => name).join(', ');
  const arrays = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const sql = `INSERT INTO ${table.name} (${names}) SELECT * FROM unnest(${arrays}) ${table.onConflict}`;
  let copied = 0;
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params = table.columns.map((_, column) => batch.map((row) => row[column] ?? null));
    const { rowCount } = await target.query(sql, params);
    copied += rowCount ?? 0;
  }
  return { table: table.name, source: rows.length, copied };
}

/** The peer-id key (and any other server secret) must be the source's, or authors lose their notes. */
async function checkKeys(source: Database.Database, target: pg.Client): Promise<void> {
  const secrets = source.prepare('SELECT name, value FROM server_secrets').all() as Array<{
    name: string;
    value: Buffer;
  }>;
  for (const { name, value } of secrets) {
    const { rows } = await target.query<{ value: Buffer }>(
      'SELECT value FROM server_secrets WHERE name = $1',
      [name],
    );
    if (rows[0] && !rows[0].value.equals(value)) {
      throw new CopyConflictError(
        `the target has another server secret "${name}": a server already started on it made its own; ` +
          'copy into an empty database (notes would no longer belong to their authors)',
      );
    }
  }
}

/** Every source note is in the target afterwards, as itself: else the target had clashing notes. */
async function checkNotes(source: Database.Database, target: pg.Client): Promise<void> {
  const ids = (source.prepare('SELECT id FROM notes').raw().all() as Array<[string]>).map(([id]) => id);
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const { rows } = await target.query<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM notes WHERE id = ANY($1)',
      [batch],
    );
    if (rows[0]!.n !== batch.length) {
      throw new CopyConflictError(
        `${batch.length - rows[0]!.n} notes clash with notes the target has (same opId or revision in a room); ` +
          'copy into an empty database',
      );
    }
  }
}
