/** The real server for e2e tests: createApp on 127.0.0.1:0 over a temporary SQLite directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';
import type { NoteStore } from '../../../server/store/note-store.js';
import { SqliteStore } from '../../../server/store/sqlite-store.js';

export interface CollabServer {
  url: string;
  dataDir: string;
  /** Stops the server; the data directory stays for a restart. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops and deletes the data directory. */
  dispose(): Promise<void>;
  /** The running app (for tests that watch what reaches the server), null while stopped. */
  app(): App | null;
}

export interface CollabServerOptions {
  /** Wraps the real store (each start), e.g. to hold an ack back after the commit. */
  wrapStore?: (store: NoteStore) => NoteStore;
}

export async function startCollabServer(options: CollabServerOptions = {}): Promise<CollabServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'collab-e2e-data-'));
  let port = 0;
  let running: { app: App; close(): Promise<void> } | null = null;

  const start = async () => {
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    const store = SqliteStore.open(dataDir);
    const app = createApp({ store: options.wrapStore?.(store) ?? store, config });
    const address = await app.listen();
    port = address.port;
    running = {
      app,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  };
  await start();

  const stop = async () => {
    await running?.close();
    running = null;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    stop,
    restart: start,
    app: () => running?.app ?? null,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
