/**
 * The SQLite store against real temporary files: the shared NoteStore contract
 * (tests/support/store-contract.ts), and what only SQLite has: notes written
 * before migration 4 keep their owners, and migration 6 numbers earlier notes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { NoteAnchor } from '../../../protocol/index.js';
import { legacyPeerIdOf as peerIdFor } from '../../../server/peer-ids.js';
import type { Writer } from '../../../server/store/note-store.js';
import { migrate } from '../../../server/store/sqlite-schema.js';
import { DB_FILE, SqliteStore } from '../../../server/store/sqlite-store.js';
import { noteStoreContract } from '../../support/store-contract.js';

const ROOM = 'public|https://example.com/article';
const ANCHOR: NoteAnchor = { selectors: [] };
const DAY = 24 * 60 * 60 * 1000;

noteStoreContract('sqlite', async () => {
  let dataDir = '';
  const drop = () => {
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    async fresh() {
      drop();
      dataDir = mkdtempSync(join(tmpdir(), 'copresence-store-'));
    },
    async open({ now }) {
      return SqliteStore.open(dataDir, { now });
    },
    async lastSeenAt(clientId) {
      const db = new Database(join(dataDir, DB_FILE), { readonly: true });
      try {
        const row = db
          .prepare('SELECT last_seen_at AS at FROM client_secrets WHERE client_id = ?')
          .get(clientId) as { at: string } | undefined;
        return row?.at ?? null;
      } finally {
        db.close();
      }
    },
    async dispose() {
      drop();
    },
  };
});

describe('migration 4', () => {
  let dataDir: string;
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives notes written before it the clientId of their author, so their owners never expire', async () => {
    let now = new Date('2026-03-01T12:00:00.000Z');
    const author: Writer = {
      author: { id: peerIdFor('old-author'), name: 'old-author', color: '#112233' },
      clientId: 'old-author',
      quota: { perRoom: 5_000, perAuthorPerDay: 500 },
    };
    // A store as version 3 left it: no owner column, no last-seen time, legacy peer ids.
    dataDir = mkdtempSync(join(tmpdir(), 'copresence-store-'));
    const db = new Database(join(dataDir, DB_FILE));
    migrate(db, 3);
    db.prepare(
      "INSERT INTO client_secrets (client_id, secret_hash, created_at) VALUES ('old-author', ?, ?)",
    ).run('f'.repeat(64), now.toISOString());
    db.prepare(
      `INSERT INTO notes (id, room, op_id, anchor, body, author_id, author_name, author_color, version,
         created_at, updated_at) VALUES ('n1', ?, 'op-old-xxxx', '{"selectors":[]}', 'hi', ?, 'old', '#112233', 1, ?, ?)`,
    ).run(ROOM, peerIdFor('old-author'), now.toISOString(), now.toISOString());
    db.close();

    store = SqliteStore.open(dataDir, { now: () => now });
    now = new Date(now.getTime() + 365 * DAY);
    expect(await store.expireClients(new Date(now.getTime() - 30 * DAY))).toBe(0);
    expect(await store.getSecretHash('old-author')).toBe('f'.repeat(64));
    // And they count for the quota of the person who wrote them.
    expect((await store.create(ROOM, 'op-again-x', { anchor: ANCHOR, body: 'x' }, author)).ok).toBe(true);
  });
});

describe('migration 6', () => {
  let dataDir: string;
  let store: SqliteStore | undefined;
  afterEach(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('numbers the notes stored before it 1..n per room in the order they were stored, and goes on from there', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'copresence-store-'));
    const db = new Database(join(dataDir, DB_FILE));
    migrate(db, 5);
    const insert = db.prepare(
      `INSERT INTO notes (id, room, op_id, anchor, body, author_id, author_name, author_color, version,
         created_at, updated_at) VALUES (?, ?, ?, '{"selectors":[]}', ?, 'peer', 'old', '#112233', 1, ?, ?)`,
    );
    const other = 'team|https://example.com/article';
    // Interleaved rooms, and times out of order: the order stored is what counts.
    for (const [id, room, at] of [
      ['n1', ROOM, '2026-03-01T12:00:03.000Z'],
      ['m1', other, '2026-03-01T12:00:01.000Z'],
      ['n2', ROOM, '2026-03-01T12:00:02.000Z'],
      ['n3', ROOM, '2026-03-01T12:00:01.000Z'],
    ] as const) {
      insert.run(id, room, `op-${id}-xxxxxx`, id, at, at);
    }
    db.close();

    store = SqliteStore.open(dataDir);
    const page = await store.changes(ROOM, 0, { maxNotes: 500, maxBytes: 1 << 20 });
    expect(page.notes.map((note) => [note.id, note.revision])).toEqual([
      ['n1', 1],
      ['n2', 2],
      ['n3', 3],
    ]);
    expect(page.revision).toBe(3);
    expect((await store.changes(other, 0, { maxNotes: 500, maxBytes: 1 << 20 })).revision).toBe(1);
    const next = await store.create(
      ROOM,
      'op-new-xxxxxx',
      { anchor: ANCHOR, body: 'x' },
      {
        author: { id: 'peer-new', name: 'new', color: '#112233' },
        clientId: 'new-author',
        quota: { perRoom: 5_000, perAuthorPerDay: 500 },
      },
    );
    expect(next.ok && next.value.note.revision).toBe(4);
  });
});

describe('migrations of a new file', () => {
  it('run once when several servers open the same new file at the same moment', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'copresence-store-'));
    try {
      // Each process spins until the same instant, then opens (and so migrates) the store.
      const at = Date.now() + 2_000;
      const script = `import { SqliteStore } from './server/store/sqlite-store.ts';
        while (Date.now() < ${at});
        (await SqliteStore.open(process.argv[1]).close());`;
      const root = join(import.meta.dirname, '..', '..', '..');
      const exits = await Promise.all(
        Array.from(
          { length: 3 },
          () =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
              const child = spawn(
                process.execPath,
                ['--import', 'tsx', '--input-type=module', '-e', script, dataDir],
                { cwd: root },
              );
              let stderr = '';
              child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
              child.once('exit', (code) => resolve({ code, stderr }));
            }),
        ),
      );
      expect(exits).toEqual(Array(3).fill({ code: 0, stderr: '' }));
      const db = new Database(join(dataDir, DB_FILE), { readonly: true });
      const version = db.pragma('user_version', { simple: true });
      db.close();
      expect(version).toBeGreaterThanOrEqual(6);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
