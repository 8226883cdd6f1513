/**
 * Which store the configuration asks for: PostgreSQL when DATABASE_URL is set,
 * shared by every node; otherwise the embedded SQLite file under DATA_DIR. Both are migrated
 * before this resolves.
 */
import type { Config } from '../config.js';
import type { NoteStore } from './note-store.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';

export type StoreKind = 'sqlite' | 'postgres';

export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<{
  store: NoteStore;
  kind: StoreKind;
}> {
  if (config.databaseUrl !== null) return { store: await PgStore.open(config.databaseUrl), kind: 'postgres' };
  return { store: SqliteStore.open(config.dataDir), kind: 'sqlite' };
}
