// `npm run migrate:store`: a real SQLite store, written through a real server,
// copied into a real PostgreSQL database; the server on PostgreSQL then serves the same notes
// to the same people, who can still edit theirs; a second run copies nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, expect, inject, it } from 'vitest';
import type { Note, Result, RoomCreated } from '../../protocol/index.js';
import { PEER_ID_SECRET } from '../../server/peer-ids.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { ask, makeAuth } from '../support/clients.js';
import { createDatabase, dropDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PAGE = 'https://example.com/article';
const ROOM = `public|${PAGE}`;

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Runs the npm script as a user would; answers its exit code and output. */
function migrateStore(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'migrate:store', '--', ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const servers: TestServer[] = [];
const databases: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0).reverse()) await server.dispose();
  for (const url of databases.splice(0)) await dropDatabase(url);
});

it('copies every note, reply, tombstone, op record, identity, private room and the peer-id key, once', async () => {
  const sqlite = await startTestServer({ store: 'sqlite' });
  servers.push(sqlite);
  const auth = makeAuth({ name: 'Ada' });
  const ada = await sqlite.notes(auth);
  value(await ask(ada, 'notes:subscribe', { room: ROOM }));
  const note = (body: string, extra: object = {}) =>
    ask(ada, 'note:create', {
      room: ROOM,
      opId: randomBytes(9).toString('base64url'),
      anchor: { selectors: [] },
      body,
      ...extra,
    });
  const parent = value<Note>(await note('a parent'));
  const reply = value<Note>(await note('a reply', { parentId: parent.id }));
  const gone = value<Note>(await note('soon gone'));
  const edit = {
    room: ROOM,
    id: parent.id,
    version: 1,
    body: 'edited',
    opId: randomBytes(9).toString('base64url'),
  };
  const edited = value<Note>(await ask(ada, 'note:update', edit));
  const del = { room: ROOM, id: gone.id, version: 1, opId: randomBytes(9).toString('base64url') };
  const deleted = value<{ id: string; revision: number }>(await ask(ada, 'note:delete', del));
  const privateRoom = value<RoomCreated>(await ask(await sqlite.rooms(), 'room:create', { page: PAGE }));
  const sqliteNotes = await sqlite.store.list(ROOM);
  const sqliteKey = await sqlite.store.getServerSecret(PEER_ID_SECRET);
  await sqlite.stop();

  const url = await createDatabase(inject('pgUrl'), 'copy');
  databases.push(url);
  const first = await migrateStore(['--from', join(sqlite.dataDir, DB_FILE), '--to', url]);
  expect(first.err).toBe('');
  expect(first.code).toBe(0);
  const lines = first.out.trim().split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      'notes: 2 copied, 0 already there (2 in the source)',
      'note_tombstones: 1 copied, 0 already there (1 in the source)',
      'note_ops: 2 copied, 0 already there (2 in the source)',
      'room_revisions: 1 copied, 0 already there (1 in the source)',
      'private_rooms: 1 copied, 0 already there (1 in the source)',
      // Ada, and the room's creator.
      'client_secrets: 2 copied, 0 already there (2 in the source)',
      'server_secrets: 1 copied, 0 already there (1 in the source)',
    ]),
  );
  const snapshot = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = [
        'notes',
        'note_ops',
        'note_tombstones',
        'room_revisions',
        'client_secrets',
        'private_rooms',
      ];
      const dump: Record<string, unknown> = {};
      for (const table of tables)
        dump[table] = (await client.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
      return dump;
    } finally {
      await client.end();
    }
  };
  const copied = await snapshot();

  const again = await migrateStore(['--from', join(sqlite.dataDir, DB_FILE), '--to', url]);
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/^notes: 0 copied, 2 already there/m);
  expect(again.out).not.toMatch(/: [1-9]\d* copied/);
  expect(await snapshot()).toEqual(copied);

  // A server on PostgreSQL: the same notes, the same key, and Ada is still their author.
  const postgres = await startTestServer({ store: 'postgres', databaseUrl: url });
  servers.push(postgres);
  databases.pop();
  expect(await postgres.store.list(ROOM)).toEqual(sqliteNotes);
  expect(await postgres.store.getServerSecret(PEER_ID_SECRET)).toEqual(sqliteKey);
  const adaAgain = await postgres.notes(auth);
  const page = value<{ notes: Note[]; deleted: string[]; revision: number }>(
    await ask(adaAgain, 'notes:subscribe', { room: ROOM }),
  );
  // In revision order: the parent was edited after the reply was written.
  expect(page.notes.map((n) => n.id)).toEqual([reply.id, parent.id]);
  expect(page.revision).toBe(deleted.revision);
  // Her replays answer as before, her edits are still hers; a stranger's are not.
  expect(await ask(adaAgain, 'note:update', edit)).toEqual({ ok: true, value: edited });
  expect(await ask(adaAgain, 'note:delete', del)).toEqual({ ok: true, value: deleted });
  const later = value<Note>(
    await ask(adaAgain, 'note:update', { room: ROOM, id: parent.id, version: 2, body: 'edited on postgres' }),
  );
  expect(later).toMatchObject({ version: 3, revision: deleted.revision + 1, author: edited.author });
  const stranger = await postgres.notes();
  value(await ask(stranger, 'notes:subscribe', { room: ROOM }));
  expect(
    await ask(stranger, 'note:update', { room: ROOM, id: reply.id, version: 1, body: 'x' }),
  ).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  // The private room came along with its key hash.
  const rooms = await postgres.rooms();
  value(await ask(rooms, 'room:join', { page: PAGE, channel: privateRoom.channel, key: privateRoom.key }));
});

it('refuses to copy into a database whose server made another peer-id key, and copies nothing', async () => {
  const sqlite = await startTestServer({ store: 'sqlite' });
  servers.push(sqlite);
  const ada = await sqlite.notes();
  value(await ask(ada, 'notes:subscribe', { room: ROOM }));
  value(
    await ask(ada, 'note:create', { room: ROOM, opId: 'op-refused-1', anchor: { selectors: [] }, body: 'x' }),
  );
  await sqlite.stop();
  const postgres = await startTestServer({ store: 'postgres' });
  servers.push(postgres);
  // Its first handshake makes its own key.
  await postgres.notes();
  const result = await migrateStore(['--from', join(sqlite.dataDir, DB_FILE), '--to', postgres.databaseUrl!]);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/another server secret "peer-id"/);
  expect(await postgres.store.list(ROOM)).toEqual([]);
});
