/**
 * Who may write and read what, on PostgreSQL: each client's secret hash (claimed once,
 * on any node), private rooms' key hashes, and the server's own secrets. One statement
 * each, written so that two nodes racing for a first row both read the one that won.
 */
import { randomBytes } from 'node:crypto';
import type { PgDatabase } from './pg-database.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class PgAccounts {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => Date,
  ) {}

  async getSecretHash(clientId: string): Promise<string | null> {
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      return rows[0]?.secret_hash ?? null;
    });
  }

  async claimSecretHash(clientId: string, hash: string): Promise<string> {
    const now = this.now();
    return this.db.run('write', async () => {
      // One statement: of two first connections (on any nodes) one row wins, both read it.
      const { rows } = await this.db.pool.query<{ secret_hash: string }>(
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
      const again = await this.db.pool.query<{ secret_hash: string }>(
        'SELECT secret_hash FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      if (!again.rows[0]) throw new Error('secret hash vanished right after insert');
      return again.rows[0].secret_hash;
    });
  }

  async touchClient(clientId: string): Promise<void> {
    const now = this.now();
    await this.db.run('write', () =>
      this.db.pool.query(
        `UPDATE client_secrets SET last_seen_at = $1
         WHERE client_id = $2 AND (last_seen_at IS NULL OR last_seen_at < $3)`,
        [now, clientId, new Date(now.getTime() - DAY_MS)],
      ),
    );
  }

  async expireClients(before: Date): Promise<number> {
    return this.db.run('write', async () => {
      const { rowCount } = await this.db.pool.query(
        `DELETE FROM client_secrets
         WHERE COALESCE(last_seen_at, created_at) < $1
           AND NOT EXISTS (SELECT 1 FROM notes WHERE notes.client_id = client_secrets.client_id)`,
        [before],
      );
      return rowCount ?? 0;
    });
  }

  async createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    return this.db.run('write', async () => {
      const { rowCount } = await this.db.pool.query(
        `INSERT INTO private_rooms (page, channel, key_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (page, channel) DO NOTHING`,
        [page, channel, keyHash, this.now()],
      );
      return rowCount === 1;
    });
  }

  async getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.db.run('read', async () => {
      const { rows } = await this.db.pool.query<{ key_hash: string }>(
        'SELECT key_hash FROM private_rooms WHERE page = $1 AND channel = $2',
        [page, channel],
      );
      return rows[0]?.key_hash ?? null;
    });
  }

  async getServerSecret(name: string): Promise<Buffer> {
    return this.db.run('write', async () => {
      // Of two first callers (two nodes starting) one key wins, and both read it back.
      await this.db.pool.query(
        'INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
        [name, randomBytes(32), new Date()],
      );
      const { rows } = await this.db.pool.query<{ value: Buffer }>(
        'SELECT value FROM server_secrets WHERE name = $1',
        [name],
      );
      if (!rows[0]) throw new Error(`server secret ${name} vanished right after insert`);
      return rows[0].value;
    });
  }
}
