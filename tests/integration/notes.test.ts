// Namespace /notes: subscribe, create (idempotent), update and delete with their refusals.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Note, NoteChanged, NoteDeleted, Result } from '../../protocol/index.js';
import type { PageBounds } from '../../server/store/note-store.js';
import { ask, makeAuth, raw, TRANSPORTS, useTransport, type NotesClient } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const ROOM = 'public|https://example.com/article';
const ANCHOR = {
  selectors: [{ type: 'TextQuoteSelector', exact: 'shared words', prefix: 'some ', suffix: ' here' }],
};

const opId = () => randomBytes(9).toString('base64url');

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function subscribed(server: TestServer, auth = makeAuth()): Promise<NotesClient> {
  const socket = await server.notes(auth);
  value(await ask(socket, 'notes:subscribe', { room: ROOM }));
  return socket;
}

const create = async (socket: NotesClient, fields: object = {}) =>
  value<Note>(
    await ask(socket, 'note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'hello', ...fields }),
  );

const notesOf = (socket: NotesClient, room = ROOM) => allNotes(socket, room);

describe.each(STORE_KINDS)('%s store', (kind) => {
  describe('/notes', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: kind });
    });
    afterEach(() => server.dispose());

    it('acks a created note and broadcasts it to the other subscribers only', async () => {
      const alice = await subscribed(server, makeAuth({ name: 'Alice', color: '#aa0000' }));
      const bob = await subscribed(server);
      const atAlice = record(alice, 'note:created');
      const broadcast = once<NoteChanged>(bob, 'note:created');
      const note = await create(alice, { body: '  a thought  ', color: '#00ff00' });
      expect(note).toEqual({
        id: expect.any(String),
        room: ROOM,
        version: 1,
        revision: 1,
        anchor: ANCHOR,
        body: 'a thought',
        color: '#00ff00',
        author: { id: expect.any(String), name: 'Alice', color: '#aa0000' },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updatedAt: note.createdAt,
      });
      expect(await broadcast).toEqual({ room: ROOM, note });
      expect(await notesOf(bob)).toEqual([note]);
      expect(atAlice).toEqual([]);
    });

    it('stores one note for the same opId sent twice and broadcasts it once', async () => {
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const created = record<NoteChanged>(bob, 'note:created');
      const payload = { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'only once' };
      const first = value<Note>(await ask(alice, 'note:create', payload));
      const second = value<Note>(await ask(alice, 'note:create', { ...payload, body: 'retried' }));
      expect(second).toEqual(first);
      // Broadcasts arrive in order, so once the later note is here a duplicate would be too.
      const later = once(bob, 'note:created', (e: NoteChanged) => e.note.body === 'a later note');
      await create(alice, { body: 'a later note' });
      await later;
      expect(created.map((e) => e.note.body)).toEqual(['only once', 'a later note']);
      expect((await notesOf(alice)).map((n) => n.body)).toEqual(['only once', 'a later note']);
    });

    it('lists a room’s notes oldest first and no other room’s', async () => {
      const alice = await subscribed(server);
      const other = 'team-a|https://example.com/article';
      await notesOf(alice, other);
      await create(alice, { body: 'one' });
      await create(alice, { room: other, body: 'elsewhere' });
      await create(alice, { body: 'two' });
      expect((await notesOf(alice)).map((n) => n.body)).toEqual(['one', 'two']);
      expect((await notesOf(alice, other)).map((n) => n.body)).toEqual(['elsewhere']);
    });

    it('refuses writes to a room the socket has not subscribed to', async () => {
      const alice = await subscribed(server);
      const note = await create(alice);
      const stranger = await server.notes();
      const refused = { ok: false, error: { code: 'forbidden', message: expect.any(String) } };
      const other = { room: 'public|https://example.com/other', opId: opId(), anchor: ANCHOR, body: 'x' };
      expect(await ask(stranger, 'note:create', other)).toEqual(refused);
      // Its own socket-id room is not a room either.
      expect(await ask(stranger, 'note:create', { ...other, room: stranger.id })).toMatchObject({
        ok: false,
      });
      await ask(alice, 'notes:unsubscribe', { room: ROOM });
      expect(await ask(alice, 'note:update', { room: ROOM, id: note.id, version: 1, body: 'x' })).toEqual(
        refused,
      );
    });

    it('stores a reply to a note of the room and refuses one to a missing parent', async () => {
      const alice = await subscribed(server);
      const parent = await create(alice);
      const reply = await create(alice, { parentId: parent.id, anchor: { selectors: [] }, body: 'a reply' });
      expect(reply.parentId).toBe(parent.id);
      expect(
        await ask(alice, 'note:create', {
          room: ROOM,
          opId: opId(),
          anchor: ANCHOR,
          body: 'x',
          parentId: 'nope',
        }),
      ).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await notesOf(alice)).toHaveLength(2);
    });

    it('updates a note for its author only, at the current version', async () => {
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const note = await create(alice);

      expect(
        await ask(bob, 'note:update', { room: ROOM, id: note.id, version: 1, body: 'mine now' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      const updated = once<NoteChanged>(bob, 'note:updated');
      const v2 = value<Note>(
        await ask(alice, 'note:update', { room: ROOM, id: note.id, version: 1, body: 'edited' }),
      );
      expect(v2).toMatchObject({ id: note.id, version: 2, body: 'edited', createdAt: note.createdAt });
      expect(v2.updatedAt >= note.updatedAt).toBe(true);
      expect(await updated).toEqual({ room: ROOM, note: v2 });

      expect(
        await ask(alice, 'note:update', { room: ROOM, id: note.id, version: 1, body: 'stale' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'conflict' },
      });
      expect(
        await ask(alice, 'note:update', { room: ROOM, id: 'missing', version: 1, body: 'x' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect((await notesOf(bob)).map((n) => [n.body, n.version])).toEqual([['edited', 2]]);
    });

    it('deletes a note for its author at the current version', async () => {
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const note = await create(alice);
      const del = { room: ROOM, id: note.id };
      expect(await ask(bob, 'note:delete', { ...del, version: 1 })).toMatchObject({
        error: { code: 'forbidden' },
      });
      expect(await ask(alice, 'note:delete', { ...del, version: 2 })).toMatchObject({
        error: { code: 'conflict' },
      });
      expect(await notesOf(bob)).toHaveLength(1);

      const deleted = once<NoteDeleted>(bob, 'note:deleted');
      expect(await ask(alice, 'note:delete', { ...del, version: 1 })).toEqual({
        ok: true,
        value: { id: note.id, revision: 2 },
      });
      expect(await deleted).toEqual({ room: ROOM, id: note.id, revision: 2 });
      expect(await notesOf(bob)).toEqual([]);
      expect(await ask(alice, 'note:delete', { ...del, version: 1 })).toMatchObject({
        error: { code: 'not_found' },
      });
    });

    it('answers invalid payloads with code invalid and stores nothing', async () => {
      const alice = await subscribed(server);
      const valid = { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'ok' };
      const bad: unknown[] = [
        undefined,
        'a string',
        { ...valid, body: '   ' },
        { ...valid, body: 'x'.repeat(10_001) },
        { ...valid, opId: 'short' },
        { ...valid, anchor: { selectors: [{ type: 'Unknown' }] } },
        { ...valid, color: 'green' },
        { ...valid, room: undefined },
      ];
      for (const payload of bad) {
        expect(await ask(alice, 'note:create', payload)).toEqual({
          ok: false,
          error: { code: 'invalid', message: expect.any(String) },
        });
      }
      expect(await ask(alice, 'notes:subscribe', { room: 'not a room id' })).toMatchObject({
        error: { code: 'invalid' },
      });
      expect(await notesOf(alice)).toEqual([]);
    });

    it('ignores a request without an ack callback and stays up', async () => {
      const alice = await subscribed(server);
      raw(alice).emit('note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'no ack' });
      raw(alice).emit('note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'not an ack' }, 42);
      raw(alice).emit('note:update');
      expect(await notesOf(alice)).toEqual([]);
    });
  });

  describe('/notes message size', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: kind });
    });
    afterEach(() => server.dispose());

    afterEach(() => useTransport('websocket'));

    // Over polling the message is a POST the server answers 413 (issue 15): it closes that
    // session too, as a WebSocket is closed, so a client cannot keep posting oversized bodies.
    it.each(TRANSPORTS)(
      'drops a connection that sends more than 64 KiB over %s and keeps serving others',
      async (transport) => {
        useTransport(transport);
        const alice = await subscribed(server);
        const serverSide = server.app.io.of('/notes').sockets.get(alice.id!)!;
        expect(serverSide.conn.transport.name).toBe(transport);
        const serverClosed = once(serverSide as unknown as NotesClient, 'disconnect');
        const closed = once(alice, 'disconnect');
        raw(alice).emit(
          'note:create',
          { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'x'.repeat(70_000) },
          () => {},
        );
        // Over polling the client hears either the refused POST or the session's end first.
        const reasons =
          transport === 'websocket' ? ['transport close'] : ['transport error', 'transport close'];
        expect(reasons).toContain(await closed);
        await serverClosed;
        expect(await notesOf(await subscribed(server))).toEqual([]);
      },
    );
  });

  describe('/notes with a failing store', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({
        store: kind,
        wrapStore: (store) =>
          Object.assign(Object.create(store) as typeof store, {
            create: () => Promise.reject(new Error('disk on fire')),
            update: () => {
              throw new Error('synchronous failure');
            },
            changes: (room: string, ...rest: [number, PageBounds]) =>
              room.startsWith('broken|')
                ? Promise.reject(new Error('unreadable'))
                : store.changes(room, ...rest),
          }),
      });
    });
    afterEach(() => server.dispose());

    it('answers internal when the store throws, and keeps serving', async () => {
      const alice = await subscribed(server);
      const internal = { ok: false, error: { code: 'internal', message: expect.any(String) } };
      expect(
        await ask(alice, 'note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'x' }),
      ).toEqual(internal);
      expect(await ask(alice, 'note:update', { room: ROOM, id: 'n', version: 1, body: 'x' })).toEqual(
        internal,
      );
      expect(await notesOf(alice)).toEqual([]);
    });

    it('does not leave a socket subscribed when reading the notes fails', async () => {
      const broken = 'broken|https://example.com/article';
      const alice = await server.notes();
      expect(await ask(alice, 'notes:subscribe', { room: broken })).toMatchObject({
        error: { code: 'internal' },
      });
      expect(
        await ask(alice, 'note:create', { room: broken, opId: opId(), anchor: ANCHOR, body: 'x' }),
      ).toMatchObject({ error: { code: 'forbidden' } });
    });
  });
});
