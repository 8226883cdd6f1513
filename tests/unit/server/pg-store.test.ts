/**
 * The PostgreSQL store against a real server (the run's cluster, a database of this file):
 * the shared NoteStore contract (tests/support/store-contract.ts), and what only
 * PostgreSQL has: migrations that servers starting at the same moment run once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PG_SCHEMA_VERSION } from '../../../server/store/pg-schema.js';
import { PgStore } from '../../../server/store/pg-store.js';
import { createDatabase, dropDatabase } from '../../support/postgres.js';
import { noteStoreContract } from '../../support/store-contract.js';
import { revisionContract } from './store-revisions.contract.js';

const TABLES =
  'notes, note_ops, client_secrets, private_rooms, server_secrets, health_probe, room_revisions, note_tombstones';

noteStoreContract('postgres', async () => {
  const url = await createDatabase(inject('pgUrl'), 'store');
  // Migrated once by the first store; fresh() empties the tables.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let migrated = false;
  return {
    async fresh() {
      if (migrated) await admin.query(`TRUNCATE ${TABLES}`);
    },
    async open({ now }) {
      const store = await PgStore.open(url, { now });
      migrated = true;
      return store;
    },
    async lastSeenAt(clientId) {
      const { rows } = await admin.query<{ at: Date | null }>(
        'SELECT last_seen_at AS at FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      return rows[0]?.at?.toISOString() ?? null;
    },
    async dispose() {
      await admin.end();
      await dropDatabase(url);
    },
  };
});

// The catch-up contract wants a fresh store per test: a database of its own for each.
revisionContract(async () => {
  const url = await createDatabase(inject('pgUrl'), 'revisions');
  const store = await PgStore.open(url);
  return {
    store,
    async close() {
      await store.close();
      await dropDatabase(url);
    },
  };
});

describe('PostgreSQL migrations', () => {
  let url: string;
  beforeAll(async () => {
    url = await createDatabase(inject('pgUrl'), 'migrate');
  });
  afterAll(() => dropDatabase(url));

  it('run once when several servers start against one empty database at the same moment', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => PgStore.open(url)));
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        expect(rows.map((row) => row.version)).toEqual(
          Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
        );
      } finally {
        await client.end();
      }
      // Every one of them works on the same schema, and they agree on the server's key.
      const keys = await Promise.all(stores.map((store) => store.getServerSecret('peer-id')));
      expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    // A later start finds nothing to do.
    const again = await PgStore.open(url);
    await again.close();
  });

  it('refuses a database whose schema is newer than the server', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]);
      await expect(PgStore.open(url)).rejects.toThrow(/newer than this server/);
    } finally {
      await client.query('DELETE FROM schema_migrations WHERE version = $1', [PG_SCHEMA_VERSION + 1]);
      await client.end();
    }
  });
});
