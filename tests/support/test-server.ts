/**
 * A real server for integration tests: createApp on 127.0.0.1 port 0 over a SQLite file
 * in a fresh temporary directory. Clients made through it are closed by dispose().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { NoteStore } from '../../server/store/note-store.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { connectNotes, connectRooms, makeAuth, type NotesClient, type RoomsClient } from './clients.js';

export interface TestServerOptions {
  /** Reuse a data directory (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Extra environment for loadConfig, e.g. `{ TICK_HZ: '20' }`. */
  env?: Record<string, string>;
  /** Wraps the real store, to inject failures. */
  wrapStore?: (store: SqliteStore) => NoteStore;
}

export interface TestServer {
  url: string;
  dataDir: string;
  app: App;
  store: SqliteStore;
  rooms(auth?: object): Promise<RoomsClient>;
  notes(auth?: object): Promise<NotesClient>;
  /** Closes clients, app and store; the data directory stays. */
  stop(): Promise<void>;
  /** stop() and delete the data directory. */
  dispose(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'copresence-it-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const store = SqliteStore.open(dataDir);
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
    dataDir,
    app,
    store,
    rooms: (auth = makeAuth()) => track(connectRooms(url, auth)),
    notes: (auth = makeAuth()) => track(connectNotes(url, auth)),
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
