// PostgreSQL stopped, frozen or read-only under a running server: note operations
// answer `unavailable` within seconds, cursors and presence go on, /healthz says 503, and once
// PostgreSQL is back the server serves notes again by itself. This file stops its own cluster,
// not the run's.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CursorBatch, Note, Result, RoomJoined } from '../../protocol/index.js';
import { PG_TIMEOUTS } from '../../server/store/pg-database.js';
import { ask, raw, type NotesClient } from '../support/clients.js';
import { createDatabase, startCluster, type PgCluster } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = `public|${PAGE}`;

let cluster: PgCluster;
let server: TestServer;
let databaseUrl: string;
beforeAll(async () => {
  cluster = await startCluster();
  databaseUrl = await createDatabase(cluster.url, 'outage');
  server = await startTestServer({ store: 'postgres', databaseUrl });
});
afterAll(async () => {
  await server.stop();
  cluster.destroy();
});

const health = async () => {
  const res = await fetch(server.url + '/healthz');
  return { status: res.status, body: (await res.json()) as unknown };
};

const createNote = (socket: NotesClient, body: string) =>
  ask(socket, 'note:create', {
    room: ROOM,
    opId: randomBytes(9).toString('base64url'),
    anchor: { selectors: [] },
    body,
  }) as Promise<Result<Note>>;

it('answers notes unavailable within seconds while PostgreSQL is down, keeps cursors going, and recovers by itself', async () => {
  const alice = await server.notes();
  expect((await ask(alice, 'notes:subscribe', { room: ROOM })) as Result<unknown>).toMatchObject({
    ok: true,
  });
  expect(await createNote(alice, 'before')).toMatchObject({ ok: true });
  const aliceRooms = await server.rooms();
  const bobRooms = await server.rooms();
  const aliceSelf = (await ask(aliceRooms, 'room:join', { page: PAGE })) as { value: RoomJoined };
  expect(((await ask(bobRooms, 'room:join', { page: PAGE })) as Result<RoomJoined>).ok).toBe(true);
  expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });

  cluster.stop('immediate');

  const started = performance.now();
  const refused = await createNote(alice, 'while down');
  const elapsed = performance.now() - started;
  expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  // Well inside the connect timeout plus one query timeout: no request hangs.
  expect(elapsed).toBeLessThan(PG_TIMEOUTS.connectMs + PG_TIMEOUTS.queryMs);
  expect(await ask(alice, 'notes:page', { room: ROOM, after: '0' })).toMatchObject({
    ok: false,
    error: { code: 'unavailable' },
  });
  expect(await health()).toMatchObject({ status: 503, body: { ok: false, store: 'unreachable' } });

  // Cursors and presence do not need the store.
  const seen = once<CursorBatch>(bobRooms, 'cursor:batch', (batch) =>
    batch.cursors.some((entry) => entry.peerId === aliceSelf.value.self.id && entry.cursor?.x === 0.75),
  );
  aliceRooms.emit('cursor:move', { room: aliceSelf.value.room, cursor: { x: 0.75, y: 0.5 } });
  await seen;

  cluster.start();

  // Back: health and note operations succeed again on the same connections, nobody restarted.
  expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });
  expect(await createNote(alice, 'after')).toMatchObject({ ok: true, value: { body: 'after' } });
  expect((await server.store.list(ROOM)).map((note) => note.body)).toEqual(['before', 'after']);
});

it('answers unavailable within the timeouts when PostgreSQL stops answering without closing connections', async () => {
  const alice = await server.notes();
  expect((await ask(alice, 'notes:subscribe', { room: ROOM })) as Result<unknown>).toMatchObject({
    ok: true,
  });
  cluster.freeze();
  try {
    const started = performance.now();
    // The helper's ack timeout is shorter than the store's; the server must answer on its own.
    const refused = (await raw(alice)
      .timeout(PG_TIMEOUTS.connectMs + PG_TIMEOUTS.queryMs + 5_000)
      .emitWithAck('note:create', {
        room: ROOM,
        opId: randomBytes(9).toString('base64url'),
        anchor: { selectors: [] },
        body: 'while frozen',
      })) as Result<Note>;
    const elapsed = performance.now() - started;
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(elapsed).toBeLessThan(PG_TIMEOUTS.connectMs + PG_TIMEOUTS.queryMs + 1_000);
    expect(await health()).toMatchObject({ status: 503, body: { ok: false, store: 'unreachable' } });
  } finally {
    cluster.thaw();
  }
  expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });
  expect(await createNote(alice, 'thawed')).toMatchObject({ ok: true, value: { body: 'thawed' } });
});

it('answers unavailable and /healthz 503 read-only while PostgreSQL refuses writes, and recovers once it takes them', async () => {
  const alice = await server.notes();
  expect((await ask(alice, 'notes:subscribe', { room: ROOM })) as Result<unknown>).toMatchObject({
    ok: true,
  });
  /** Makes the database refuse writes (as a standby does), or take them again; sessions start anew. */
  const readOnly = async (on: boolean) => {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      const name = new URL(databaseUrl).pathname.slice(1);
      await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
    } finally {
      await admin.end();
    }
    cluster.stop('fast');
    cluster.start();
  };
  await readOnly(true);
  try {
    expect(await createNote(alice, 'refused')).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await health()).toEqual({
      status: 503,
      body: { ok: false, store: 'read-only', reason: 'PG_25006' },
    });
    // Reading still works.
    expect(await ask(alice, 'notes:page', { room: ROOM, after: '0' })).toMatchObject({ ok: true });
  } finally {
    await readOnly(false);
  }
  // The health check's own write finds out, before anyone writes a note.
  expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });
  expect(await createNote(alice, 'writable again')).toMatchObject({ ok: true });
});
