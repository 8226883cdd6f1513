/**
 * A real server for integration tests: createApp on 127.0.0.1 port 0 over a fresh store,
 * SQLite (a file in a new temporary directory) or PostgreSQL (a new database on the run's
 * cluster, tests/support/postgres.ts). Clients made through it are closed by dispose().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { NoteStore } from '../../server/store/note-store.js';
import type { StoreKind } from '../../server/store/open-store.js';
import { PgStore } from '../../server/store/pg-store.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { connectNotes, connectRooms, makeAuth, type NotesClient, type RoomsClient } from './clients.js';
import { createDatabase, dropDatabase } from './postgres.js';

/** Every store kind: tests that touch notes run once per kind (`describe.each(STORE_KINDS)`). */
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestServerOptions {
  /** The store: SQLite by default. */
  store?: StoreKind;
  /** Reuse a data directory (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Reuse a PostgreSQL database (a restart); a fresh one on the run's cluster otherwise. */
  databaseUrl?: string;
  /** Extra environment for loadConfig, e.g. `{ TICK_HZ: '20' }`. */
  env?: Record<string, string>;
  /** Wraps the real store, to inject failures. */
  wrapStore?: (store: NoteStore) => NoteStore;
}

export interface TestServer {
  url: string;
  kind: StoreKind;
  dataDir: string;
  /** The PostgreSQL database, or null on SQLite. */
  databaseUrl: string | null;
  app: App;
  store: NoteStore;
  /** The store as SqliteStore, for SQLite-only drills (a full disk); throws on PostgreSQL. */
  sqlite(): SqliteStore;
  /** Options of a server over the same data: a restart after stop(). */
  sameData(): TestServerOptions;
  rooms(auth?: object): Promise<RoomsClient>;
  notes(auth?: object): Promise<NotesClient>;
  /** Closes clients, app and store; the data directory (database) stays. */
  stop(): Promise<void>;
  /** stop() and delete the data directory (and the database). */
  dispose(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const kind = options.store ?? 'sqlite';
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'copresence-it-'));
  const databaseUrl =
    kind === 'postgres' ? (options.databaseUrl ?? (await createDatabase(inject('pgUrl'), 'it'))) : null;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }),
    ...options.env,
  });
  const store: NoteStore = databaseUrl === null ? SqliteStore.open(dataDir) : await PgStore.open(databaseUrl);
  const app = createApp({ store: options.wrapStore?.(store) ?? store, config });
  const { url } = await app.listen();
  const clients: Array<RoomsClient | NotesClient> = [];
  const track = async <T extends RoomsClient | NotesClient>(client: Promise<T>) => {
    const socket = await client;
    clients.push(socket);
    return socket;
  };
  const stop = async () => {
    for (const client of clients) client.close();
    await app.close();
    await store.close();
  };
  return {
    url,
    kind,
    dataDir,
    databaseUrl,
    app,
    store,
    sqlite() {
      if (!(store instanceof SqliteStore)) throw new Error(`a ${kind} store is not SQLite`);
      return store;
    },
    sameData: () => ({ store: kind, dataDir, ...(databaseUrl === null ? {} : { databaseUrl }) }),
    rooms: (auth = makeAuth()) => track(connectRooms(url, auth)),
    notes: (auth = makeAuth()) => track(connectNotes(url, auth)),
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl !== null) await dropDatabase(databaseUrl);
    },
  };
}
