/**
 * The SQLite store against a real temporary file, with its clock injected (issue 10): the
 * per-author quota is a rolling 24 hours, identities that own nothing expire after being
 * unseen for a while, and notes written before migration 4 keep their owners.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoteAnchor } from '../../../protocol/index.js';
import { legacyPeerIdOf as peerIdFor } from '../../../server/peer-ids.js';
import { startIdentityExpiry } from '../../../server/store/identity-expiry.js';
import type { NoteStore, Writer } from '../../../server/store/note-store.js';
import { migrate } from '../../../server/store/sqlite-schema.js';
import { DB_FILE, SqliteStore } from '../../../server/store/sqlite-store.js';

const ROOM = 'public|https://example.com/article';
const ANCHOR: NoteAnchor = { selectors: [] };
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let dataDir: string;
let store: SqliteStore;
let now: Date;
const clock = () => now;

function writer(clientId: string, perAuthorPerDay = 500): Writer {
  return {
    author: { id: peerIdFor(clientId), name: clientId, color: '#112233' },
    clientId,
    quota: { perRoom: 5_000, perAuthorPerDay },
  };
}

let ops = 0;
const create = (as: Writer, room = ROOM) =>
  store.create(room, `op-${++ops}-xxxxxx`, { anchor: ANCHOR, body: 'hi' }, as);

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'copresence-store-'));
  now = new Date('2026-03-01T12:00:00.000Z');
  store = SqliteStore.open(dataDir, { now: clock });
});

afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('per-author quota', () => {
  it('counts a person’s notes of the last 24 hours over all rooms, and frees them as they age', async () => {
    const alice = writer('alice-client', 3);
    expect((await create(alice)).ok).toBe(true);
    now = new Date(now.getTime() + 12 * HOUR);
    expect((await create(alice, 'team|https://example.com/article')).ok).toBe(true);
    expect((await create(alice)).ok).toBe(true);
    expect(await create(alice)).toEqual({ ok: false, reason: 'rate_limited' });
    // Another person is not counted with her.
    expect((await create(writer('bob-client', 3))).ok).toBe(true);
    // 24 hours after her first note, that one no longer counts.
    now = new Date(now.getTime() + 12 * HOUR + 1);
    expect((await create(alice)).ok).toBe(true);
    expect(await create(alice)).toEqual({ ok: false, reason: 'rate_limited' });
  });
});

describe('identity expiry', () => {
  it('forgets identities not seen for the idle time that own no note, and no other', async () => {
    await store.claimSecretHash('idle-nothing', 'a'.repeat(64));
    await store.claimSecretHash('idle-with-note', 'b'.repeat(64));
    expect((await create(writer('idle-with-note'))).ok).toBe(true);
    await store.claimSecretHash('seen-lately', 'c'.repeat(64));
    now = new Date(now.getTime() + 20 * DAY);
    await store.touchClient('seen-lately');

    now = new Date(now.getTime() + 11 * DAY);
    expect(await store.expireClients(new Date(now.getTime() - 30 * DAY))).toBe(1);
    expect(await store.getSecretHash('idle-nothing')).toBeNull();
    expect(await store.getSecretHash('idle-with-note')).toBe('b'.repeat(64));
    expect(await store.getSecretHash('seen-lately')).toBe('c'.repeat(64));
    // Its owner comes back with the same secret and simply claims it again.
    expect(await store.claimSecretHash('idle-nothing', 'a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('touches an identity at most once a day', async () => {
    await store.claimSecretHash('daily', 'd'.repeat(64));
    const seen = () => {
      const db = new Database(join(dataDir, DB_FILE), { readonly: true });
      try {
        return db.prepare('SELECT last_seen_at AS at FROM client_secrets').get() as { at: string };
      } finally {
        db.close();
      }
    };
    const claimed = seen().at;
    now = new Date(now.getTime() + 23 * HOUR);
    await store.touchClient('daily');
    expect(seen().at).toBe(claimed);
    now = new Date(now.getTime() + 2 * HOUR);
    await store.touchClient('daily');
    expect(seen().at).toBe(now.toISOString());
  });

  it('is swept by the server from its start, with the configured idle days', async () => {
    await store.claimSecretHash('long-gone', 'e'.repeat(64));
    now = new Date(now.getTime() + 8 * DAY);
    let sweptBefore: (before: Date) => void = () => undefined;
    const swept = new Promise<Date>((resolve) => (sweptBefore = resolve));
    const watched: NoteStore = Object.assign(Object.create(store) as SqliteStore, {
      expireClients: async (before: Date) => {
        const count = await store.expireClients(before);
        sweptBefore(before);
        return count;
      },
    });
    const stop = startIdentityExpiry(watched, silent, { idleDays: 7, now: clock });
    await swept;
    stop();
    expect((await swept).toISOString()).toBe(new Date(now.getTime() - 7 * DAY).toISOString());
    expect(await store.getSecretHash('long-gone')).toBeNull();
  });
});

describe('migration 4', () => {
  it('gives notes written before it the clientId of their author, so their owners never expire', async () => {
    const author = writer('old-author');
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
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

    store = SqliteStore.open(dataDir, { now: clock });
    now = new Date(now.getTime() + 365 * DAY);
    expect(await store.expireClients(new Date(now.getTime() - 30 * DAY))).toBe(0);
    expect(await store.getSecretHash('old-author')).toBe('f'.repeat(64));
    // And they count for the quota of the person who wrote them.
    expect((await store.create(ROOM, 'op-again-x', { anchor: ANCHOR, body: 'x' }, author)).ok).toBe(true);
  });
});

const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

describe('migration 6', () => {
  it('numbers the notes stored before it 1..n per room in the order they were stored, and goes on from there', async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
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

    store = SqliteStore.open(dataDir, { now: clock });
    const page = await store.changes(ROOM, 0, { maxNotes: 500, maxBytes: 1 << 20 });
    expect(page.notes.map((note) => [note.id, note.revision])).toEqual([
      ['n1', 1],
      ['n2', 2],
      ['n3', 3],
    ]);
    expect(page.revision).toBe(3);
    expect((await store.changes(other, 0, { maxNotes: 500, maxBytes: 1 << 20 })).revision).toBe(1);
    const next = await create(writer('new-author'));
    expect(next.ok && next.value.note.revision).toBe(4);
  });
});
