// Namespace /notes: catch-up by revision. A client that drops and comes back, to
// the same node or another one sharing the store, subscribes with the revision it has and
// is answered exactly the changes it missed (notes as they are now, deleted ids), in bounded
// pages, with the room's revision; note events carry their revision to keep it current.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LIMITS,
  type Note,
  type NoteAnchor,
  type NoteChanged,
  type NoteDeleted,
  type NotesChanges,
  type Result,
} from '../../protocol/index.js';
import type { ImportItem, Writer } from '../../server/store/note-store.js';
import { ask, makeAuth, type NotesClient } from '../support/clients.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = `public|${PAGE}`;
const ANCHOR: NoteAnchor = { selectors: [{ type: 'TextQuoteSelector', exact: 'shared words' }] };

const opId = () => randomBytes(9).toString('base64url');

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const codeOf = (result: unknown) => {
  const r = result as Result<unknown>;
  return r.ok ? 'ok' : r.error.code;
};

/** Subscribes with `since` and reads every page of the answer, in order. */
async function catchUp(socket: NotesClient, since?: number): Promise<NotesChanges[]> {
  const payload = since === undefined ? { room: ROOM } : { room: ROOM, since };
  const pages = [value<NotesChanges>(await ask(socket, 'notes:subscribe', payload))];
  for (let next = pages[0]!.next; next !== null; next = pages[pages.length - 1]!.next) {
    pages.push(value<NotesChanges>(await ask(socket, 'notes:page', { room: ROOM, after: next })));
  }
  return pages;
}

/** What a client holds after applying `pages` in order to what it had. */
function apply(had: Map<string, Note>, pages: NotesChanges[]): Map<string, Note> {
  const notes = new Map(had);
  for (const page of pages) {
    if (page.reset) notes.clear();
    for (const note of page.notes) notes.set(note.id, note);
    for (const id of page.deleted) notes.delete(id);
  }
  return notes;
}

const sorted = (notes: Iterable<Note>) => [...notes].sort((a, b) => a.id.localeCompare(b.id));

const create = async (socket: NotesClient, body: string) =>
  value<Note>(await ask(socket, 'note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body }));
const edit = async (socket: NotesClient, note: Note, body: string) =>
  value<Note>(await ask(socket, 'note:update', { room: ROOM, id: note.id, version: note.version, body }));
const remove = async (socket: NotesClient, note: Note) =>
  value<{ id: string; revision: number }>(
    await ask(socket, 'note:delete', { room: ROOM, id: note.id, version: note.version }),
  );

const servers: TestServer[] = [];
afterEach(async () => {
  // The second node shares the first one's directory: stop it before the first removes it.
  for (const server of servers.splice(0).reverse()) await server.dispose();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer(options);
  servers.push(started);
  return started;
}

describe.each(STORE_KINDS)('%s store', (kind) => {
  describe('notes:subscribe with since', () => {
    it('answers a client that comes back exactly the changes it missed, and nothing else', async () => {
      const node = await server({ store: kind });
      const bob = await node.notes();
      value(await ask(bob, 'notes:subscribe', { room: ROOM }));
      const [kept, edited, dropped] = [
        await create(bob, 'kept'),
        await create(bob, 'edited'),
        await create(bob, 'dropped'),
      ];

      const alice = await node.notes();
      const first = await catchUp(alice);
      expect(first).toEqual([
        { notes: [kept, edited, dropped], deleted: [], next: null, revision: 3, reset: false },
      ]);
      const had = apply(new Map(), first);
      alice.close();

      // While she is away.
      const added = await create(bob, 'added');
      const editedNow = await edit(bob, edited, 'edited while away');
      expect(await remove(bob, dropped)).toEqual({ id: dropped.id, revision: 6 });
      const brief = await create(bob, 'here and gone');
      await remove(bob, brief);
      const addedNow = await edit(bob, added, 'added, then edited');

      const back = await node.notes();
      const missed = await catchUp(back, 3);
      expect(missed).toEqual([
        {
          notes: [editedNow, addedNow],
          deleted: [dropped.id, brief.id],
          next: null,
          revision: 9,
          reset: false,
        },
      ]);
      expect(editedNow.revision).toBe(5);
      expect(addedNow.revision).toBe(9);
      expect(sorted(apply(had, missed).values())).toEqual(sorted(await node.store.list(ROOM)));

      // Subscribed again: events go on from there, each with its revision.
      const created = once<NoteChanged>(back, 'note:created');
      const later = await create(bob, 'later');
      expect((await created).note).toEqual(later);
      expect(later.revision).toBe(10);
      const updated = once<NoteChanged>(back, 'note:updated');
      const laterEdited = await edit(bob, later, 'later, edited');
      expect((await updated).note).toEqual(laterEdited);
      expect(laterEdited.revision).toBe(11);
    });

    it('catches up on another node that shares the store, without connection state recovery', async () => {
      const nodeA = await server({ store: kind });
      const nodeB = await server(nodeA.sameData());
      const auth = makeAuth({ name: 'Alice' });
      const bob = await nodeA.notes();
      value(await ask(bob, 'notes:subscribe', { room: ROOM }));
      const before = await create(bob, 'before');

      const alice = await nodeA.notes(auth);
      const first = await catchUp(alice);
      const since = first[first.length - 1]!.revision;
      alice.close();
      const added = await create(bob, 'added on A');
      await remove(bob, before);

      // Node B never saw her session nor these broadcasts: only the store knows.
      const elsewhere = await nodeB.notes(auth);
      const missed = await catchUp(elsewhere, since);
      expect(missed).toEqual([
        { notes: [added], deleted: [before.id], next: null, revision: 3, reset: false },
      ]);
      expect([...apply(apply(new Map(), first), missed).values()]).toEqual([added]);
      // Her own notes on node B are hers: the same person in the same room.
      const hers = await create(elsewhere, 'written on B');
      expect(hers).toMatchObject({ revision: 4, author: { name: 'Alice' } });
      expect((await nodeA.store.changes(ROOM, 3, { maxNotes: 10, maxBytes: 1 << 20 })).notes).toEqual([hers]);
    });

    it('pages a long catch-up within the bounds, in revision order, and ends current although notes change between pages', async () => {
      const node = await server({ store: kind });
      const writer: Writer = {
        author: { id: 'seeder', name: 'Seeder', color: '#112233' },
        clientId: 'seeder-client',
        quota: { perRoom: 5_000, perAuthorPerDay: 5_000 },
      };
      // About 1 KiB each, so bytes cut the pages before the count does.
      const filler = 'z'.repeat(900);
      const items = Array.from({ length: 1_200 }, (_, i): ImportItem => ({
        opId: `seeded-${i}-xxxx`,
        input: { anchor: ANCHOR, body: `${i} ${filler}` },
      }));
      const seeded = (await node.store.importNotes(ROOM, items, writer, () => true)).created;
      const alice = await node.notes();
      const had = apply(new Map(), await catchUp(alice));
      expect(had.size).toBe(1_200);
      alice.close();

      // Others (on any node; straight into the store here) change 700 of them while she is away.
      for (const note of seeded.slice(0, 600)) {
        value(await node.store.update(ROOM, note.id, 1, `${note.body} edited`, 'seeder'));
      }
      for (const note of seeded.slice(600, 700)) value(await node.store.delete(ROOM, note.id, 1, 'seeder'));

      const back = await node.notes();
      const pages = [value<NotesChanges>(await ask(back, 'notes:subscribe', { room: ROOM, since: 1_200 }))];
      let between = 0;
      while (pages[pages.length - 1]!.next !== null) {
        // Between two pages: one note she has read again is edited, one she has not is deleted.
        const read = pages.flatMap((page) => page.notes);
        const again = read[between % read.length]!;
        value(
          await node.store.update(
            ROOM,
            again.id,
            (await node.store.list(ROOM)).find((n) => n.id === again.id)!.version,
            `again ${between}`,
            'seeder',
          ),
        );
        value(await node.store.delete(ROOM, seeded[1_199 - between]!.id, 1, 'seeder'));
        between++;
        const after = pages[pages.length - 1]!.next!;
        pages.push(value<NotesChanges>(await ask(back, 'notes:page', { room: ROOM, after })));
      }
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const page of pages) {
        expect(page.notes.length + page.deleted.length).toBeLessThanOrEqual(LIMITS.notesPerPage);
        expect(Buffer.byteLength(JSON.stringify(page.notes))).toBeLessThanOrEqual(LIMITS.pageBytes);
      }
      const revisions = pages.flatMap((page) => page.notes.map((note) => note.revision!));
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      expect(revisions[0]).toBeGreaterThan(1_200);
      // None of the 500 notes nobody touched came again.
      const untouched = new Set(seeded.slice(700, 1_200 - between).map((note) => note.id));
      expect(pages.some((page) => page.notes.some((note) => untouched.has(note.id)))).toBe(false);
      expect(sorted(apply(had, pages).values())).toEqual(sorted(await node.store.list(ROOM)));
      expect(pages[pages.length - 1]!.revision).toBe(1_200 + 700 + 2 * between);
    });

    it('answers a since above the room’s revision from 0 with reset, and refuses one that is no revision', async () => {
      const node = await server({ store: kind });
      const alice = await node.notes();
      value(await ask(alice, 'notes:subscribe', { room: ROOM }));
      const note = await create(alice, 'only');
      const bob = await node.notes();
      expect(value(await ask(bob, 'notes:subscribe', { room: ROOM, since: 7 }))).toEqual({
        notes: [note],
        deleted: [],
        next: null,
        revision: 1,
        reset: true,
      });
      for (const since of [-1, 1.5, '1', null, 2 ** 53]) {
        expect(codeOf(await ask(bob, 'notes:subscribe', { room: ROOM, since }))).toBe('invalid');
      }
      const deleted = once<NoteDeleted>(bob, 'note:deleted');
      await remove(alice, note);
      expect(await deleted).toEqual({ room: ROOM, id: note.id, revision: 2 });
    });
  });
});
