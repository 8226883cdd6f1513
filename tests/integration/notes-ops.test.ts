// Namespace /notes: threads, idempotent replays of update/delete (the outbox
// resends with the same opId), and W3C Web Annotation export/import.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotationCollection, Note, NoteChanged, NotesImported, Result } from '../../protocol/index.js';
import { ask, makeAuth, type NotesClient } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = `public|${PAGE}`;
const ANCHOR = {
  selectors: [
    { type: 'TextQuoteSelector', exact: 'shared words', prefix: 'some ', suffix: ' here' },
    { type: 'TextPositionSelector', start: 5, end: 17 },
  ],
};
const POINT = {
  selectors: [
    {
      type: 'FragmentSelector',
      conformsTo: 'http://www.w3.org/TR/media-frags/',
      value: 'xywh=percent:25,40,0,0',
    },
  ],
};

const opId = () => randomBytes(9).toString('base64url');

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function subscribed(server: TestServer, auth = makeAuth(), room = ROOM): Promise<NotesClient> {
  const socket = await server.notes(auth);
  value(await ask(socket, 'notes:subscribe', { room }));
  return socket;
}

const create = async (socket: NotesClient, fields: object = {}) =>
  value<Note>(
    await ask(socket, 'note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'hello', ...fields }),
  );

const notesOf = (socket: NotesClient, room = ROOM) => allNotes(socket, room);

describe.each(STORE_KINDS)('%s store', (kind) => {
  describe('/notes threads and replays', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: kind });
    });
    afterEach(() => server.dispose());

    it('broadcasts a reply with its parentId and keeps it when the parent is deleted', async () => {
      const alice = await subscribed(server, makeAuth({ name: 'Alice' }));
      const bob = await subscribed(server, makeAuth({ name: 'Bob' }));
      const parent = await create(alice);
      const heard = once<NoteChanged>(alice, 'note:created');
      const reply = await create(bob, { parentId: parent.id, anchor: { selectors: [] }, body: 'agreed' });
      expect((await heard).note).toEqual(reply);
      expect(reply).toMatchObject({
        parentId: parent.id,
        author: { name: 'Bob' },
        anchor: { selectors: [] },
      });
      value(await ask(alice, 'note:delete', { room: ROOM, id: parent.id, version: 1 }));
      expect((await notesOf(bob)).map((n) => n.id)).toEqual([reply.id]);
    });

    it('answers a replayed update opId with the first outcome, changes nothing and broadcasts once', async () => {
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const note = await create(alice);
      const updates = record<NoteChanged>(bob, 'note:updated');
      const edit = { room: ROOM, id: note.id, version: 1, body: 'edited', opId: opId() };
      const first = value<Note>(await ask(alice, 'note:update', edit));
      expect(first).toMatchObject({ version: 2, body: 'edited' });
      // The version is stale by now; without the opId this would be a conflict.
      expect(await ask(alice, 'note:update', edit)).toEqual({ ok: true, value: first });
      expect(await ask(alice, 'note:update', { ...edit, opId: opId() })).toMatchObject({
        ok: false,
        error: { code: 'conflict' },
      });
      // Broadcasts arrive in order: once the later edit is here, a duplicate would be too.
      const later = once<NoteChanged>(bob, 'note:updated', (e) => e.note.body === 'later');
      value(
        await ask(alice, 'note:update', { room: ROOM, id: note.id, version: 2, body: 'later', opId: opId() }),
      );
      await later;
      expect(updates.map((e) => [e.note.body, e.note.version])).toEqual([
        ['edited', 2],
        ['later', 3],
      ]);
      // Another author's identical opId is a different operation (and not theirs to make).
      expect(await ask(bob, 'note:update', edit)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('answers a replayed delete opId with { id, revision } although the note is gone, and broadcasts once', async () => {
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const note = await create(alice);
      const other = await create(alice, { body: 'other' });
      const deletes = record<{ id: string }>(bob, 'note:deleted');
      const del = { room: ROOM, id: note.id, version: 1, opId: opId() };
      const gone = { ok: true, value: { id: note.id, revision: 3 } };
      expect(await ask(alice, 'note:delete', del)).toEqual(gone);
      expect(await ask(alice, 'note:delete', del)).toEqual(gone);
      expect(await ask(alice, 'note:delete', { ...del, opId: opId() })).toMatchObject({
        error: { code: 'not_found' },
      });
      const later = once<{ id: string }>(bob, 'note:deleted', (e) => e.id === other.id);
      value(await ask(alice, 'note:delete', { room: ROOM, id: other.id, version: 1 }));
      await later;
      expect(deletes.map((e) => e.id)).toEqual([note.id, other.id]);
    });

    it('remembers update opIds across a restart', async () => {
      const auth = makeAuth();
      const alice = await subscribed(server, auth);
      const note = await create(alice);
      const edit = { room: ROOM, id: note.id, version: 1, body: 'durable', opId: opId() };
      const first = value<Note>(await ask(alice, 'note:update', edit));
      await server.stop();
      server = await startTestServer(server.sameData());
      const again = await subscribed(server, auth);
      expect(await ask(again, 'note:update', edit)).toEqual({ ok: true, value: first });
    });
  });

  describe('/notes export and import (W3C Web Annotation)', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: kind });
    });
    afterEach(() => server.dispose());

    it('exports the room as an AnnotationCollection and imports it into another room once', async () => {
      const alice = await subscribed(server, makeAuth({ name: 'Alice' }));
      const parent = await create(alice, { body: 'see https://example.org', color: '#22aa44' });
      await create(alice, { parentId: parent.id, anchor: { selectors: [] }, body: 'a reply' });
      await create(alice, { anchor: POINT, body: 'a point' });

      const collection = value<AnnotationCollection>(await ask(alice, 'notes:export', { room: ROOM }));
      expect(collection).toMatchObject({
        '@context': 'http://www.w3.org/ns/anno.jsonld',
        type: 'AnnotationCollection',
        total: 3,
      });
      const [first, second] = collection.first.items;
      expect(first).toMatchObject({
        id: `urn:copresence:note:${parent.id}`,
        type: 'Annotation',
        motivation: 'commenting',
        creator: { type: 'Person', name: 'Alice' },
        created: parent.createdAt,
        modified: parent.updatedAt,
        body: { type: 'TextualBody', value: 'see https://example.org', format: 'text/plain' },
        target: { source: PAGE, selector: ANCHOR.selectors },
      });
      expect(second).toMatchObject({ motivation: 'replying', target: `urn:copresence:note:${parent.id}` });

      const otherRoom = `team-b|${PAGE}`;
      const bob = await subscribed(server, makeAuth({ name: 'Bob' }), otherRoom);
      const watcher = await subscribed(server, makeAuth(), otherRoom);
      const created = record<NoteChanged>(watcher, 'note:created');
      const imported = value<NotesImported>(await ask(bob, 'notes:import', { room: otherRoom, collection }));
      expect(imported).toEqual({
        created: 3,
        unchanged: 0,
        skipped: 0,
        skippedItems: [],
        remaining: 0,
        retryAfterMs: 0,
      });
      const again = value<NotesImported>(await ask(bob, 'notes:import', { room: otherRoom, collection }));
      expect(again).toEqual({
        created: 0,
        unchanged: 3,
        skipped: 0,
        skippedItems: [],
        remaining: 0,
        retryAfterMs: 0,
      });

      const copies = await notesOf(bob, otherRoom);
      expect(created.map((e) => e.note.id)).toEqual(copies.map((n) => n.id));
      expect(
        copies.map((n) => ({ body: n.body, anchor: n.anchor, color: n.color, author: n.author.name })),
      ).toEqual([
        { body: 'see https://example.org', anchor: ANCHOR, color: '#22aa44', author: 'Bob' },
        { body: 'a reply', anchor: { selectors: [] }, color: undefined, author: 'Bob' },
        { body: 'a point', anchor: POINT, color: undefined, author: 'Bob' },
      ]);
      expect(copies[1]!.parentId).toBe(copies[0]!.id);
    });

    it('refuses export and import for a room the socket has not subscribed to, and a malformed collection', async () => {
      const stranger = await server.notes();
      expect(await ask(stranger, 'notes:export', { room: ROOM })).toMatchObject({
        error: { code: 'forbidden' },
      });
      expect(await ask(stranger, 'notes:import', { room: ROOM, collection: { items: [] } })).toMatchObject({
        error: { code: 'forbidden' },
      });
      const alice = await subscribed(server);
      expect(await ask(alice, 'notes:import', { room: ROOM, collection: 'nope' })).toMatchObject({
        error: { code: 'invalid' },
      });
      const junk = { items: [{ id: 'x', type: 'Annotation', body: [], target: [] }, 42] };
      expect(value(await ask(alice, 'notes:import', { room: ROOM, collection: junk }))).toEqual({
        created: 0,
        unchanged: 0,
        skipped: 2,
        skippedItems: [
          { index: 0, id: 'x', reason: 'not_an_annotation', message: expect.stringContaining('target') },
          { index: 1, reason: 'not_an_annotation', message: expect.any(String) },
        ],
        remaining: 0,
        retryAfterMs: 0,
      });
      expect(await notesOf(alice)).toEqual([]);
    });
  });
});
