/**
 * Who may write and read what, in the SQLite file: each client's secret hash (claimed
 * once), private rooms' key hashes, and the server's own secrets. INSERT OR IGNORE
 * everywhere: of two first writers one row wins, and both read it back.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Statements } from './sqlite-statements.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the accounts need of the store: its statements, clock and error handling. */
export interface SqliteAccess {
  readonly sql: Statements;
  readonly now: () => Date;
  /** Runs a read as the store runs every read (errors that mean "not now" become unavailable). */
  read<T>(operation: () => T): T;
  /** Runs a write; the rows it changed prove the store can write again. */
  write(operation: () => Database.RunResult): Database.RunResult;
}

export class SqliteAccounts {
  constructor(private readonly store: SqliteAccess) {}

  async getSecretHash(clientId: string): Promise<string | null> {
    return this.store.read(() => this.store.sql.getSecret.get(clientId)?.secret_hash ?? null);
  }

  async claimSecretHash(clientId: string, hash: string): Promise<string> {
    const now = this.store.now().toISOString();
    this.store.write(() => this.store.sql.claimSecret.run(clientId, hash, now, now));
    const stored = await this.getSecretHash(clientId);
    if (stored === null) throw new Error('secret hash vanished right after insert');
    return stored;
  }

  async touchClient(clientId: string): Promise<void> {
    const now = this.store.now();
    const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
    this.store.write(() => this.store.sql.touchClient.run(now.toISOString(), clientId, dayAgo));
  }

  async expireClients(before: Date): Promise<number> {
    return this.store.write(() => this.store.sql.expireClients.run(before.toISOString())).changes;
  }

  async createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    const now = this.store.now().toISOString();
    return this.store.write(() => this.store.sql.createRoom.run(page, channel, keyHash, now)).changes === 1;
  }

  async getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.store.read(() => this.store.sql.roomKey.get(page, channel)?.key_hash ?? null);
  }

  async getServerSecret(name: string): Promise<Buffer> {
    this.store.sql.claimServerSecret.run(name, randomBytes(32), new Date().toISOString());
    const row = this.store.sql.serverSecret.get(name);
    if (!row) throw new Error(`server secret ${name} vanished right after insert`);
    return row.value;
  }
}
