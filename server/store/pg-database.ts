/**
 * One PostgreSQL pool and what every query of the store goes through: timeouts, the errors
 * that mean "not now" turned into {@link StoreUnavailableError}, transactions that resolve
 * after COMMIT, and the store's health (a standby, or writes refused for space).
 */
import pg from 'pg';
import { StoreUnavailableError, type StoreHealth } from './note-store.js';
import { migratePg } from './pg-schema.js';

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

/** One querying connection: the pool, or a client checked out for a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

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

export class PgDatabase {
  /** The code of the last write refused for lack of space or a read-only server, until one succeeds. */
  private writeFailure: string | null = null;

  private constructor(readonly pool: pg.Pool) {}

  /** Connects to `url` (postgres://...) and migrates the schema under the migration lock. */
  static async open(url: string, maxConnections = 10): Promise<PgDatabase> {
    const pool = new pg.Pool({
      connectionString: url,
      max: maxConnections,
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
    return new PgDatabase(pool);
  }

  /**
   * Runs one operation: a driver error that means "not now" becomes
   * {@link StoreUnavailableError} (and marks the store read-only when the server refused a
   * write for space); a write that committed clears that mark.
   */
  async run<T>(kind: 'read' | 'write', operation: () => Promise<T>): Promise<T> {
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
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>, kind: 'read' | 'write' = 'write'): Promise<T> {
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
