// People are linkable only by choice, and names cannot imitate others:
// peer ids per room, stable for a person within a room across namespaces, reconnects and
// restarts; earlier notes moved to their author's per-room id; names normalised.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CursorBatch, Note, PresenceLeft, Result, RoomJoined } from '../../protocol/index.js';
import { legacyPeerIdOf } from '../../server/peer-ids.js';
import { migrate } from '../../server/store/sqlite-schema.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { ask, makeAuth, raw, type NotesClient, type RoomsClient } from '../support/clients.js';
import {
  startTestServer,
  STORE_KINDS,
  type TestServer,
  type TestServerOptions,
} from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const OTHER_PAGE = 'https://example.org/elsewhere';
const ANCHOR = { selectors: [{ type: 'TextQuoteSelector', exact: 'shared words' }] };
/** The schema before per-room peer ids. */
const SCHEMA_WITH_GLOBAL_IDS = 3;

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const join = async (socket: RoomsClient, payload: object) =>
  value<RoomJoined>(await ask(socket, 'room:join', payload));

const opId = () => randomBytes(9).toString('base64url');

async function createNote(socket: NotesClient, room: string, body = 'hello'): Promise<Note> {
  value(await ask(socket, 'notes:subscribe', { room }));
  return value<Note>(await ask(socket, 'note:create', { room, opId: opId(), anchor: ANCHOR, body }));
}

describe.each(STORE_KINDS)('%s store', (kind) => {
  describe('peer ids per room', () => {
    const servers: TestServer[] = [];
    const start = async (options: TestServerOptions = { store: kind }) => {
      const server = await startTestServer(options);
      servers.push(server);
      return server;
    };
    afterEach(async () => {
      for (const server of servers.splice(0)) await server.dispose();
    });

    it('gives one person unrelated ids in different rooms, never the clientId or the old global id', async () => {
      const server = await start();
      const auth = makeAuth();
      const socket = await server.rooms(auth);
      const ids = [
        (await join(socket, { page: PAGE })).self.id,
        (await join(socket, { page: PAGE, channel: 'team' })).self.id,
        (await join(socket, { page: OTHER_PAGE })).self.id,
      ];
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) {
        expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
        expect(id).not.toContain(auth.clientId as string);
        expect(id).not.toBe(legacyPeerIdOf(auth.clientId as string));
      }
    });

    it('lets one socket in two rooms move and leave under each room’s own id', async () => {
      const server = await start();
      const alice = await server.rooms();
      const first = await join(alice, { page: PAGE });
      const second = await join(alice, { page: OTHER_PAGE });
      const bob = await server.rooms();
      const atBob = await join(bob, { page: OTHER_PAGE });
      expect(atBob.peers.map((peer) => peer.id)).toEqual([second.self.id]);

      const seen = once<CursorBatch>(bob, 'cursor:batch', (batch) => batch.cursors.length > 0);
      raw(alice).emit('cursor:move', { room: second.room, cursor: { x: 0.25, y: 0.5 } });
      expect((await seen).cursors).toEqual([{ peerId: second.self.id, cursor: { x: 0.25, y: 0.5 } }]);

      const left = once<PresenceLeft>(bob, 'presence:left');
      await ask(alice, 'room:leave', { room: second.room });
      expect(await left).toEqual({ room: second.room, peerId: second.self.id });
      expect(first.self.id).not.toBe(second.self.id);
    });

    it('keeps a person’s id in a room across namespaces, reconnects and a restart', async () => {
      const server = await start();
      const auth = makeAuth();
      const joined = await join(await server.rooms(auth), { page: PAGE });
      const first = joined.self;
      const again = (await join(await server.rooms(auth), { page: PAGE })).self;
      expect(again.id).toBe(first.id);
      const note = await createNote(await server.notes(auth), joined.room, 'mine');
      expect(note.author.id).toBe(first.id);

      await server.stop();
      const restarted = await start(server.sameData());
      const afterRestart = (await join(await restarted.rooms(auth), { page: PAGE })).self;
      expect(afterRestart.id).toBe(first.id);
      // Still the author: the update is allowed, another person's is not.
      const mine = await restarted.notes(auth);
      value(await ask(mine, 'notes:subscribe', { room: note.room }));
      const updated = value<Note>(
        await ask(mine, 'note:update', { room: note.room, id: note.id, version: 1, body: 'still mine' }),
      );
      expect(updated.author.id).toBe(first.id);
      const stranger = await restarted.notes();
      value(await ask(stranger, 'notes:subscribe', { room: note.room }));
      const refused = (await ask(stranger, 'note:update', {
        room: note.room,
        id: note.id,
        version: 2,
        body: 'not yours',
      })) as Result<Note>;
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });
  });
});

// Upgrading from a schema with global ids happens on SQLite only: PostgreSQL starts at per-room ids.
describe('peer ids per room, after an upgrade of a SQLite store', () => {
  const servers: TestServer[] = [];
  const start = async (dataDir: string) => {
    const server = await startTestServer({ dataDir });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.dispose();
  });

  it('moves notes written under the old global id to their author’s id in that room', async () => {
    const dataDir = mkdtempSync(joinPath(tmpdir(), 'copresence-ids-'));
    const auth = makeAuth();
    const clientId = auth.clientId as string;
    const room = 'public|' + PAGE;
    const noteId = 'legacy-note-1';
    // A store as the previous release left it: schema v3, the author named by the global id.
    const db = new Database(joinPath(dataDir, DB_FILE));
    migrate(db, SCHEMA_WITH_GLOBAL_IDS);
    const now = new Date().toISOString();
    db.prepare('INSERT INTO client_secrets (client_id, secret_hash, created_at) VALUES (?, ?, ?)').run(
      clientId,
      createHash('sha256')
        .update(auth.secret as string)
        .digest('hex'),
      now,
    );
    db.prepare(
      `INSERT INTO notes (id, room, op_id, anchor, body, color, parent_id, author_id, author_name,
         author_color, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, 'Ada', '#1a2b3c', 1, ?, ?)`,
    ).run(
      noteId,
      room,
      'op-legacy-1',
      JSON.stringify(ANCHOR),
      'written before',
      legacyPeerIdOf(clientId),
      now,
      now,
    );
    db.close();

    const server = await start(dataDir);
    const self = (await join(await server.rooms(auth), { page: PAGE })).self;
    const notes = await server.notes(auth);
    value(await ask(notes, 'notes:subscribe', { room }));
    const updated = value<Note>(
      await ask(notes, 'note:update', { room, id: noteId, version: 1, body: 'edited after the upgrade' }),
    );
    expect(updated.author.id).toBe(self.id);
    expect(updated.author.id).not.toBe(legacyPeerIdOf(clientId));
    // The retry of the note's original create still finds it under the new id.
    const retried = value<Note>(
      await ask(notes, 'note:create', { room, opId: 'op-legacy-1', anchor: ANCHOR, body: 'again' }),
    );
    expect(retried.id).toBe(noteId);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('names that imitate others', () => {
  let server: TestServer;
  afterEach(() => server.dispose());

  it('shows a name with invisible or bidi characters as the plain name, and refuses an invisible one', async () => {
    server = await startTestServer();
    const socket = await server.rooms(makeAuth({ name: '\u2066Alice\u200b\u2069' }));
    const joined = await join(socket, { page: PAGE });
    expect(joined.self.name).toBe('Alice');

    const renamed = (await ask(socket, 'presence:update', {
      room: joined.room,
      name: '\u202eecilA',
    })) as Result<null>;
    expect(renamed.ok).toBe(true);
    const watcher = await server.rooms();
    const seen = await join(watcher, { page: PAGE });
    expect(seen.peers.map((peer) => peer.name)).toEqual(['ecilA']);

    for (const name of ['\u200b', '\u3164', '\u202e\u202c', ' \u00a0 ']) {
      const refused = (await ask(socket, 'presence:update', { room: joined.room, name })) as Result<null>;
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    const error = await server
      .rooms(makeAuth({ name: '\u200b' }))
      .catch((e: Error & { data?: unknown }) => e);
    expect(error).toMatchObject({ message: 'invalid' });
  });
});
