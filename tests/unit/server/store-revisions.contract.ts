/**
 * The NoteStore contract of catch-up by revision, for every store: call
 * {@link revisionContract} with a factory of fresh, empty stores (store-revisions.test.ts does
 * for SQLite). Each room has a gap-free revision bumped by every create, update, delete and
 * imported note; notes carry the revision of their last change; deletes leave tombstones; and
 * `changes` answers what happened after a revision, paged in revision order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Note, NoteAnchor } from '../../../protocol/index.js';
import type {
  ImportItem,
  NoteChanges,
  NoteStore,
  PageBounds,
  Writer,
} from '../../../server/store/note-store.js';

export type OpenStore = () => Promise<{ store: NoteStore; close(): Promise<void> }>;

const ROOM = 'public|https://example.com/article';
const OTHER = 'team|https://example.com/article';
const ANCHOR: NoteAnchor = { selectors: [{ type: 'TextQuoteSelector', exact: 'headland' }] };
const WIDE: PageBounds = { maxNotes: 500, maxBytes: 256 * 1024 };

function writer(name: string): Writer {
  return {
    author: { id: `peer-${name}`, name, color: '#112233' },
    clientId: `client-${name}`,
    quota: { perRoom: 1_000, perAuthorPerDay: 1_000 },
  };
}

const alice = writer('alice');
const bob = writer('bob');

/** A room as a client holds it after applying `pages` in order to `start`. */
function apply(pages: NoteChanges[], start = new Map<string, Note>()): Map<string, Note> {
  const notes = new Map(start);
  for (const page of pages) {
    if (page.reset) notes.clear();
    for (const note of page.notes) notes.set(note.id, note);
    for (const id of page.deleted) notes.delete(id);
  }
  return notes;
}

export function revisionContract(open: OpenStore): void {
  describe('catch-up by revision (NoteStore contract)', () => {
    let store: NoteStore;
    let close: () => Promise<void>;
    let ops = 0;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    async function create(body: string, as = alice, room = ROOM): Promise<Note> {
      const result = await store.create(room, `op-${++ops}-xxxxxx`, { anchor: ANCHOR, body }, as);
      if (!result.ok) throw new Error(`create refused: ${result.reason}`);
      return result.value.note;
    }

    async function update(note: Note, body: string, as = alice): Promise<Note> {
      const result = await store.update(ROOM, note.id, note.version, body, as.author.id);
      if (!result.ok) throw new Error(`update refused: ${result.reason}`);
      return result.value.value;
    }

    /** Every page of the room's changes after `since`, following `next`. */
    async function allChanges(since: number, bounds = WIDE, room = ROOM): Promise<NoteChanges[]> {
      const pages = [await store.changes(room, since, bounds)];
      for (let next = pages[0]!.next; next !== null; next = pages[pages.length - 1]!.next) {
        pages.push(await store.changes(room, next, bounds));
      }
      return pages;
    }

    it('answers an empty room at revision 0 with no changes', async () => {
      expect(await store.changes(ROOM, 0, WIDE)).toEqual({
        notes: [],
        deleted: [],
        next: null,
        revision: 0,
        reset: false,
      });
    });

    it('bumps the room’s revision by one on every create, update and delete, per room', async () => {
      const a = await create('a');
      const b = await create('b');
      const elsewhere = await create('elsewhere', alice, OTHER);
      const c = await create('c');
      expect([a.revision, b.revision, c.revision]).toEqual([1, 2, 3]);
      expect(elsewhere.revision).toBe(1);

      const edited = await update(a, 'a, edited');
      expect(edited).toMatchObject({ version: 2, revision: 4, body: 'a, edited' });
      const removed = await store.delete(ROOM, b.id, 1, alice.author.id);
      expect(removed).toEqual({ ok: true, value: { value: { id: b.id, revision: 5 }, applied: true } });

      expect(await store.changes(ROOM, 0, WIDE)).toEqual({
        notes: [c, edited],
        deleted: [b.id],
        next: null,
        revision: 5,
        reset: false,
      });
      // Every note as listed carries the revision of its last change.
      expect((await store.list(ROOM)).map((note) => [note.body, note.revision])).toEqual([
        ['a, edited', 4],
        ['c', 3],
      ]);
      expect(await store.changes(OTHER, 0, WIDE)).toMatchObject({ notes: [elsewhere], revision: 1 });
    });

    it('answers exactly the changes after `since`: notes as they are now and tombstones, in revision order', async () => {
      const a = await create('a');
      const b = await create('b');
      const c = await create('c');
      const before = await store.changes(ROOM, 0, WIDE);
      const since = before.revision;
      expect(since).toBe(3);
      const had = apply([before]);
      expect([...had.keys()]).toEqual([a.id, b.id, c.id]);

      const d = await create('d');
      const bEdited = await update(b, 'b, edited');
      expect((await store.delete(ROOM, c.id, 1, alice.author.id)).ok).toBe(true);
      const bAgain = await update(bEdited, 'b, again');

      const caughtUp = await store.changes(ROOM, since, WIDE);
      expect(caughtUp).toEqual({
        notes: [d, bAgain],
        deleted: [c.id],
        next: null,
        revision: 7,
        reset: false,
      });
      // Nothing after the current revision; tombstones stay in the feed for an old `since`.
      expect(await store.changes(ROOM, 7, WIDE)).toMatchObject({ notes: [], deleted: [], revision: 7 });
      expect((await store.changes(ROOM, 1, WIDE)).deleted).toEqual([c.id]);
      // Applied to what the client had at `since`, the changes give the room as it is now.
      const now = apply([caughtUp], had);
      expect(now.size).toBe(3);
      expect([...now.values()]).toEqual(expect.arrayContaining(await store.list(ROOM)));
    });

    it('does not bump for what changes nothing: retried and replayed opIds, refusals', async () => {
      const first = await store.create(ROOM, 'op-once-xxxx', { anchor: ANCHOR, body: 'once' }, alice);
      const retried = await store.create(ROOM, 'op-once-xxxx', { anchor: ANCHOR, body: 'once' }, alice);
      expect(retried).toEqual({ ok: true, value: { note: first.ok && first.value.note, created: false } });
      const note = first.ok ? first.value.note : null;
      if (!note) throw new Error('create refused');
      const edit = await store.update(ROOM, note.id, 1, 'edited', alice.author.id, 'op-edit-xxxx');
      expect(edit).toMatchObject({ ok: true, value: { value: { revision: 2 } } });
      expect(await store.update(ROOM, note.id, 1, 'edited', alice.author.id, 'op-edit-xxxx')).toEqual({
        ok: true,
        value: { value: edit.ok && edit.value.value, applied: false },
      });
      expect(await store.update(ROOM, note.id, 1, 'stale', alice.author.id)).toEqual({
        ok: false,
        reason: 'conflict',
      });
      expect(await store.update(ROOM, note.id, 2, 'not hers', bob.author.id)).toEqual({
        ok: false,
        reason: 'forbidden',
      });
      expect(await store.delete(ROOM, 'no-such-note', 1, alice.author.id)).toEqual({
        ok: false,
        reason: 'not_found',
      });
      const reply = await store.create(
        ROOM,
        'op-orphan-xx',
        { anchor: ANCHOR, body: 'orphan', parentId: 'no-such-note' },
        alice,
      );
      expect(reply).toEqual({ ok: false, reason: 'not_found' });
      const removed = await store.delete(ROOM, note.id, 2, alice.author.id, 'op-drop-xxxx');
      expect(removed).toEqual({ ok: true, value: { value: { id: note.id, revision: 3 }, applied: true } });
      expect(await store.delete(ROOM, note.id, 2, alice.author.id, 'op-drop-xxxx')).toEqual({
        ok: true,
        value: { value: { id: note.id, revision: 3 }, applied: false },
      });
      expect(await store.changes(ROOM, 0, WIDE)).toEqual({
        notes: [],
        deleted: [note.id],
        next: null,
        revision: 3,
        reset: false,
      });
    });

    it('gives every note an import creates its own revision, and none to items it already has', async () => {
      await create('before');
      const items = ['one', 'two', 'three'].map((body): ImportItem => ({
        opId: `imp-${body}-xxxx`,
        input: { anchor: ANCHOR, body },
      }));
      items.push({
        opId: 'imp-reply-xxxx',
        input: { anchor: { selectors: [] }, body: 'reply' },
        parent: { index: 0 },
      });
      const outcome = await store.importNotes(ROOM, items, alice, () => true);
      expect(outcome.created.map((note) => [note.body, note.revision])).toEqual([
        ['one', 2],
        ['two', 3],
        ['three', 4],
        ['reply', 5],
      ]);
      const again = await store.importNotes(ROOM, items, alice, () => true);
      expect(again).toMatchObject({ created: [], unchanged: 4 });
      const changes = await store.changes(ROOM, 1, WIDE);
      expect(changes).toEqual({ notes: outcome.created, deleted: [], next: null, revision: 5, reset: false });
    });

    it('pages the changes in revision order within the bounds, counting deletions, and loses nothing changed between pages', async () => {
      const notes: Note[] = [];
      for (let i = 0; i < 6; i++) notes.push(await create(`note ${i}`));
      expect((await store.delete(ROOM, notes[5]!.id, 1, alice.author.id)).ok).toBe(true);
      const bounds: PageBounds = { maxNotes: 2, maxBytes: WIDE.maxBytes };

      const first = await store.changes(ROOM, 0, bounds);
      expect(first).toEqual({ notes: notes.slice(0, 2), deleted: [], next: 2, revision: 7, reset: false });
      // Between two pages: a note already read is edited, one not yet read is deleted, one is new.
      const edited = await update(notes[0]!, 'note 0, edited');
      expect((await store.delete(ROOM, notes[3]!.id, 1, alice.author.id)).ok).toBe(true);
      const late = await create('late');

      const rest = [await store.changes(ROOM, first.next!, bounds)];
      while (rest[rest.length - 1]!.next !== null) {
        rest.push(await store.changes(ROOM, rest[rest.length - 1]!.next!, bounds));
      }
      for (const page of rest) {
        expect(page.notes.length + page.deleted.length).toBeLessThanOrEqual(2);
        expect(page.notes.length + page.deleted.length).toBeGreaterThan(0);
      }
      expect(rest.map((page) => page.next)).toEqual([5, 8, null]);
      // Revisions 3..10: note 2, (note 3 deleted at 9), note 4, tombstone 5 at 7, edit at 8, ...
      expect(rest.flatMap((page) => page.notes.map((note) => note.revision))).toEqual([3, 5, 8, 10]);
      expect(rest.flatMap((page) => page.deleted)).toEqual([notes[5]!.id, notes[3]!.id]);
      expect(rest[rest.length - 1]!.revision).toBe(10);

      const held = apply([first, ...rest]);
      expect([...held.values()].sort((x, y) => x.revision! - y.revision!)).toEqual(
        [notes[1]!, notes[2]!, notes[4]!, edited, late].sort((x, y) => x.revision! - y.revision!),
      );
    });

    it('bounds a page by bytes, a tombstone counting as its id, and always answers one change', async () => {
      const big = 'z'.repeat(1_000);
      for (let i = 0; i < 5; i++) await create(`${i} ${big}`);
      const size = (note: Note) => Buffer.byteLength(JSON.stringify(note));
      const one = size((await store.list(ROOM))[0]!);
      const pages = await allChanges(0, { maxNotes: 500, maxBytes: 2 * one + 10 });
      expect(pages.map((page) => page.notes.length)).toEqual([2, 2, 1]);
      expect(pages.map((page) => page.next)).toEqual([2, 4, null]);
      // A bound below one note still moves on, one note a page.
      expect((await allChanges(0, { maxNotes: 500, maxBytes: 10 })).map((page) => page.notes.length)).toEqual(
        [1, 1, 1, 1, 1],
      );
      // A custom measure is honoured, as `page` honours it.
      const counted = await store.changes(ROOM, 0, { maxNotes: 500, maxBytes: 3, sizeOf: () => 1 });
      expect(counted).toMatchObject({ next: 3, revision: 5 });
      expect(counted.notes).toHaveLength(3);
    });

    it('answers a `since` above the room’s revision from 0 with reset, so a client from another store resyncs', async () => {
      const a = await create('a');
      const b = await create('b');
      expect((await store.delete(ROOM, a.id, 1, alice.author.id)).ok).toBe(true);
      expect(await store.changes(ROOM, 42, WIDE)).toEqual({
        notes: [b],
        deleted: [a.id],
        next: null,
        revision: 3,
        reset: true,
      });
      expect(await store.changes(OTHER, 1, WIDE)).toEqual({
        notes: [],
        deleted: [],
        next: null,
        revision: 0,
        reset: true,
      });
    });

    it('keeps revisions gap-free and unique under concurrent writes to one room', async () => {
      const seeded = await Promise.all(
        Array.from({ length: 10 }, (_, i) => create(`parallel ${i}`, i % 2 ? bob : alice)),
      );
      const edits = await Promise.all(
        seeded.map((note, i) => update(note, `edited ${i}`, i % 2 ? bob : alice)),
      );
      const revisions = [...seeded, ...edits].map((note) => note.revision!).sort((x, y) => x - y);
      expect(revisions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const changes = await store.changes(ROOM, 10, WIDE);
      expect(changes.revision).toBe(20);
      expect(changes.notes.map((note) => note.revision)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 11),
      );
    });
  });
}
