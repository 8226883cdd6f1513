/**
 * The NoteStore contract as tests: one suite that every store must pass
 * unchanged, SQLite and PostgreSQL alike. A backend opens stores over one shared backing (a
 * second `open` is another connection, or another node, on the same data), so the suite also
 * checks what two nodes racing each other must never break: one note per opId, one winner per
 * version, quotas, first claims.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NoteAnchor } from '../../protocol/index.js';
import { startIdentityExpiry } from '../../server/store/identity-expiry.js';
import type { ImportItem, NoteStore, Writer } from '../../server/store/note-store.js';

export interface StoreBackend {
  /** Empties the backing before a test. */
  fresh(): Promise<void>;
  /** A store over the backing; every call is a new connection (pool) to the same data. */
  open(options: { now: () => Date }): Promise<NoteStore>;
  /** The last-seen time stored for `clientId` (ISO), read around the store. */
  lastSeenAt(clientId: string): Promise<string | null>;
  dispose(): Promise<void>;
}

const ROOM = 'public|https://example.com/article';
const OTHER_ROOM = 'team|https://example.com/article';
const ANCHOR: NoteAnchor = {
  selectors: [{ type: 'TextQuoteSelector', exact: 'shared words', prefix: 'some ', suffix: ' here' }],
};
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

export function writer(clientId: string, quota: Partial<Writer['quota']> = {}, room = ROOM): Writer {
  return {
    author: { id: `peer-${clientId}-${room.length}`, name: clientId, color: '#112233' },
    clientId,
    quota: { perRoom: 5_000, perAuthorPerDay: 500, ...quota },
  };
}

/** Registers the contract suite for the store `name` made by `makeBackend`. */
export function noteStoreContract(name: string, makeBackend: () => Promise<StoreBackend>): void {
  describe(`NoteStore contract: ${name}`, () => {
    let backend: StoreBackend;
    let store: NoteStore;
    const opened: NoteStore[] = [];
    let now: Date;
    const clock = () => now;
    let ops = 0;
    const nextOp = () => `op-${++ops}-xxxxxx`;
    const create = (as: Writer, room = ROOM, body = 'hi', on: NoteStore = store) =>
      on.create(room, nextOp(), { anchor: ANCHOR, body }, as);
    const open = async () => {
      const another = await backend.open({ now: clock });
      opened.push(another);
      return another;
    };
    const noteOf = async (as: Writer, body = 'hi', room = ROOM) => {
      const result = await create(as, room, body);
      if (!result.ok) throw new Error(`create refused: ${result.reason}`);
      return result.value.note;
    };

    beforeAll(async () => {
      backend = await makeBackend();
    });
    afterAll(async () => {
      await backend.dispose();
    });
    beforeEach(async () => {
      await backend.fresh();
      now = new Date('2026-03-01T12:00:00.000Z');
      store = await open();
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });

    describe('create, list, page and count', () => {
      it('stores a note with its author and times, and lists the room’s notes oldest first', async () => {
        const alice = writer('alice');
        const first = await create(alice, ROOM, 'one');
        expect(first).toEqual({
          ok: true,
          value: {
            created: true,
            note: {
              id: expect.any(String),
              room: ROOM,
              version: 1,
              revision: 1,
              anchor: ANCHOR,
              body: 'one',
              author: alice.author,
              createdAt: now.toISOString(),
              updatedAt: now.toISOString(),
            },
          },
        });
        now = new Date(now.getTime() + 1);
        await store.create(
          ROOM,
          nextOp(),
          { anchor: { selectors: [] }, body: 'two', color: '#00ff00' },
          alice,
        );
        await create(alice, OTHER_ROOM, 'elsewhere');
        const listed = await store.list(ROOM);
        expect(listed.map((note) => [note.body, note.color])).toEqual([
          ['one', undefined],
          ['two', '#00ff00'],
        ]);
        expect(listed[1]).not.toHaveProperty('parentId');
        expect((await store.list(OTHER_ROOM)).map((note) => note.body)).toEqual(['elsewhere']);
      });

      it('stores one note per (room, author, opId) and answers a retry with it', async () => {
        const alice = writer('alice');
        const first = await store.create(ROOM, 'op-same-xxxx', { anchor: ANCHOR, body: 'first' }, alice);
        const again = await store.create(ROOM, 'op-same-xxxx', { anchor: ANCHOR, body: 'retried' }, alice);
        expect(first.ok && again.ok).toBe(true);
        if (!first.ok || !again.ok) return;
        expect(again.value).toEqual({ note: first.value.note, created: false });
        // The key is scoped: another author's or another room's identical opId is another note.
        const bob = writer('bob');
        const other = await store.create(ROOM, 'op-same-xxxx', { anchor: ANCHOR, body: 'bob' }, bob);
        const elsewhere = await store.create(
          OTHER_ROOM,
          'op-same-xxxx',
          { anchor: ANCHOR, body: 'x' },
          alice,
        );
        expect(other).toMatchObject({ ok: true, value: { created: true } });
        expect(elsewhere).toMatchObject({ ok: true, value: { created: true } });
        expect((await store.list(ROOM)).map((note) => note.body)).toEqual(['first', 'bob']);
      });

      it('stores a reply to a note of the room, refuses a missing parent, and answers a retry after the parent went', async () => {
        const alice = writer('alice');
        const parent = await noteOf(alice);
        const reply = await store.create(
          ROOM,
          'op-reply-xxxx',
          { anchor: { selectors: [] }, body: 'a reply', parentId: parent.id },
          alice,
        );
        expect(reply).toMatchObject({ ok: true, value: { note: { parentId: parent.id } } });
        expect(
          await store.create(ROOM, nextOp(), { anchor: ANCHOR, body: 'x', parentId: 'missing' }, alice),
        ).toEqual({ ok: false, reason: 'not_found' });
        const elsewhere = await store.create(
          OTHER_ROOM,
          nextOp(),
          { anchor: ANCHOR, body: 'x', parentId: parent.id },
          alice,
        );
        expect(elsewhere).toEqual({ ok: false, reason: 'not_found' });
        expect((await store.delete(ROOM, parent.id, 1, alice.author.id)).ok).toBe(true);
        const retried = await store.create(
          ROOM,
          'op-reply-xxxx',
          { anchor: { selectors: [] }, body: 'a reply', parentId: parent.id },
          alice,
        );
        expect(retried).toMatchObject({ ok: true, value: { created: false } });
        expect((await store.list(ROOM)).map((note) => note.body)).toEqual(['a reply']);
      });

      it('pages a room within the bounds, never skipping nor repeating a note, and counts before a cursor', async () => {
        const alice = writer('alice');
        for (let i = 0; i < 7; i++) await noteOf(alice, `note ${i}`);
        await noteOf(alice, 'other room', OTHER_ROOM);
        const first = await store.page(ROOM, null, { maxNotes: 3, maxBytes: 1_000_000 });
        expect(first.notes.map((note) => note.body)).toEqual(['note 0', 'note 1', 'note 2']);
        expect(first.next).not.toBeNull();
        expect(await store.count(ROOM, first.next)).toEqual({ total: 7, before: 3 });
        await noteOf(alice, 'written while paging');
        // A byte bound below two notes: one note per page, but never an empty page.
        const small = await store.page(ROOM, first.next, { maxNotes: 3, maxBytes: 10 });
        expect(small.notes.map((note) => note.body)).toEqual(['note 3']);
        const rest = await store.page(ROOM, small.next, { maxNotes: 10, maxBytes: 1_000_000 });
        expect(rest.notes.map((note) => note.body)).toEqual([
          'note 4',
          'note 5',
          'note 6',
          'written while paging',
        ]);
        expect(rest.next).toBeNull();
        expect(await store.count(ROOM)).toEqual({ total: 8, before: 0 });
        expect(
          await store.page('public|https://example.com/empty', null, { maxNotes: 5, maxBytes: 100 }),
        ).toEqual({
          notes: [],
          next: null,
        });
        const sized = await store.page(ROOM, null, { maxNotes: 10, maxBytes: 3, sizeOf: () => 1 });
        expect(sized.notes).toHaveLength(3);
        // Cursors are up to 16 digits on the wire: beyond any revision or seq, never an error.
        const far = await store.changes(ROOM, Number.MAX_SAFE_INTEGER, { maxNotes: 2, maxBytes: 1_000_000 });
        expect(far).toMatchObject({ reset: true, revision: 8 });
        expect(far.notes).toHaveLength(2);
        expect(await store.page(ROOM, '9999999999999999', { maxNotes: 2, maxBytes: 1_000_000 })).toEqual({
          notes: [],
          next: null,
        });
        expect(await store.count(ROOM, '9999999999999999')).toEqual({ total: 8, before: 8 });
      });
    });

    describe('update and delete', () => {
      it('updates for the author at the current version only, bumping version and updatedAt', async () => {
        const alice = writer('alice');
        const note = await noteOf(alice);
        now = new Date(now.getTime() + 5_000);
        expect(await store.update(ROOM, note.id, 1, 'not yours', 'someone-else')).toEqual({
          ok: false,
          reason: 'forbidden',
        });
        const updated = await store.update(ROOM, note.id, 1, 'edited', alice.author.id);
        expect(updated).toEqual({
          ok: true,
          value: {
            applied: true,
            value: { ...note, body: 'edited', version: 2, revision: 2, updatedAt: now.toISOString() },
          },
        });
        expect(await store.update(ROOM, note.id, 1, 'stale', alice.author.id)).toEqual({
          ok: false,
          reason: 'conflict',
        });
        expect(await store.update(ROOM, 'missing', 1, 'x', alice.author.id)).toEqual({
          ok: false,
          reason: 'not_found',
        });
        expect(await store.update(OTHER_ROOM, note.id, 2, 'x', alice.author.id)).toEqual({
          ok: false,
          reason: 'not_found',
        });
        expect((await store.list(ROOM)).map((n) => [n.body, n.version])).toEqual([['edited', 2]]);
      });

      it('answers a replayed update or delete opId with the first outcome and changes nothing', async () => {
        const alice = writer('alice');
        const note = await noteOf(alice);
        const first = await store.update(ROOM, note.id, 1, 'edited', alice.author.id, 'op-edit-xxxx');
        expect(first).toMatchObject({ ok: true, value: { applied: true } });
        const replay = await store.update(ROOM, note.id, 1, 'other', alice.author.id, 'op-edit-xxxx');
        expect(replay).toEqual({ ok: true, value: { value: first.ok && first.value.value, applied: false } });
        expect(await store.update(ROOM, note.id, 1, 'other', alice.author.id, 'op-edit-yyyy')).toEqual({
          ok: false,
          reason: 'conflict',
        });

        expect(await store.delete(ROOM, note.id, 1, alice.author.id)).toEqual({
          ok: false,
          reason: 'conflict',
        });
        expect(await store.delete(ROOM, note.id, 2, 'someone-else')).toEqual({
          ok: false,
          reason: 'forbidden',
        });
        const deleted = await store.delete(ROOM, note.id, 2, alice.author.id, 'op-del-xxxxx');
        expect(deleted).toEqual({ ok: true, value: { value: { id: note.id, revision: 3 }, applied: true } });
        expect(await store.delete(ROOM, note.id, 2, alice.author.id, 'op-del-xxxxx')).toEqual({
          ok: true,
          value: { value: { id: note.id, revision: 3 }, applied: false },
        });
        expect(await store.delete(ROOM, note.id, 2, alice.author.id, 'op-del-yyyyy')).toEqual({
          ok: false,
          reason: 'not_found',
        });
        expect(await store.list(ROOM)).toEqual([]);
      });

      it('keeps replies when their parent is deleted', async () => {
        const alice = writer('alice');
        const parent = await noteOf(alice);
        await store.create(
          ROOM,
          nextOp(),
          { anchor: { selectors: [] }, body: 'reply', parentId: parent.id },
          alice,
        );
        expect((await store.delete(ROOM, parent.id, 1, alice.author.id)).ok).toBe(true);
        expect((await store.list(ROOM)).map((note) => note.body)).toEqual(['reply']);
      });
    });

    describe('quotas', () => {
      it('refuses a note over the room’s quota with too_large and still answers a retried opId', async () => {
        const alice = writer('alice', { perRoom: 2 });
        const kept = await store.create(ROOM, 'op-kept-xxxx', { anchor: ANCHOR, body: 'a' }, alice);
        await noteOf(alice);
        expect(await create(alice)).toEqual({ ok: false, reason: 'too_large' });
        expect(await store.create(ROOM, 'op-kept-xxxx', { anchor: ANCHOR, body: 'a' }, alice)).toEqual({
          ok: true,
          value: { note: kept.ok && kept.value.note, created: false },
        });
        expect((await create(alice, OTHER_ROOM)).ok).toBe(true);
      });

      it('counts a person’s notes of the last 24 hours over all rooms, and frees them as they age', async () => {
        const alice = writer('alice-client', { perAuthorPerDay: 3 });
        expect((await create(alice)).ok).toBe(true);
        now = new Date(now.getTime() + 12 * HOUR);
        expect((await create(alice, OTHER_ROOM)).ok).toBe(true);
        expect((await create(alice)).ok).toBe(true);
        expect(await create(alice)).toEqual({ ok: false, reason: 'rate_limited' });
        expect((await create(writer('bob-client', { perAuthorPerDay: 3 }))).ok).toBe(true);
        now = new Date(now.getTime() + 12 * HOUR + 1);
        expect((await create(alice)).ok).toBe(true);
        expect(await create(alice)).toEqual({ ok: false, reason: 'rate_limited' });
      });
    });

    describe('import', () => {
      const items = (count: number, prefix: string): ImportItem[] =>
        Array.from({ length: count }, (_, i) => ({
          opId: `${prefix}-${i}-xxxx`,
          input: { anchor: ANCHOR, body: `${prefix} ${i}` },
        }));

      it('stores items in order with replies to earlier items, earlier imports or gone parents, once', async () => {
        const alice = writer('alice');
        const first: ImportItem[] = [
          ...items(2, 'imp'),
          {
            opId: 'imp-reply-xxxx',
            input: { anchor: { selectors: [] }, body: 'reply' },
            parent: { index: 0 },
          },
          {
            opId: 'imp-orphan-xxx',
            input: { anchor: ANCHOR, body: 'orphan' },
            parent: { opId: 'never-xxxx', otherwise: 'gone-parent' },
          },
        ];
        const outcome = await store.importNotes(ROOM, first, alice, () => true);
        expect(outcome).toMatchObject({ unchanged: 0, remaining: 0, stoppedBy: null });
        expect(outcome.created.map((note) => note.body)).toEqual(['imp 0', 'imp 1', 'reply', 'orphan']);
        expect(outcome.created[2]!.parentId).toBe(outcome.created[0]!.id);
        // Its parent was never stored here: it keeps the id it was given, as after a delete.
        expect(outcome.created[3]!.parentId).toBe('gone-parent');

        const second = await store.importNotes(
          ROOM,
          [
            ...items(2, 'imp'),
            {
              opId: 'imp-late-xxxx',
              input: { anchor: ANCHOR, body: 'late reply' },
              parent: { opId: 'imp-1-xxxx', otherwise: 'gone-parent' },
            },
          ],
          alice,
          () => true,
        );
        expect(second).toMatchObject({ unchanged: 2, remaining: 0, stoppedBy: null });
        expect(second.created.map((note) => [note.body, note.parentId])).toEqual([
          ['late reply', outcome.created[1]!.id],
        ]);
        expect(await store.list(ROOM)).toHaveLength(5);
      });

      it('stops at the budget and at quotas, and asks the budget only for notes it stores', async () => {
        const alice = writer('alice', { perRoom: 5, perAuthorPerDay: 4 });
        let asked = 0;
        const budget = (tokens: number) => () => {
          asked++;
          return tokens-- > 0;
        };
        const byBudget = await store.importNotes(ROOM, items(5, 'a'), alice, budget(2));
        expect(byBudget).toMatchObject({ unchanged: 0, remaining: 3, stoppedBy: 'budget' });
        expect(byBudget.created).toHaveLength(2);
        expect(asked).toBe(3);
        asked = 0;
        const byAuthor = await store.importNotes(ROOM, items(5, 'a'), alice, budget(10));
        expect(byAuthor).toMatchObject({ unchanged: 2, remaining: 1, stoppedBy: 'rate_limited' });
        expect(byAuthor.created).toHaveLength(2);
        expect(asked).toBe(2);
        const bob = writer('bob', { perRoom: 5 });
        const byRoom = await store.importNotes(ROOM, items(3, 'b'), bob, () => true);
        expect(byRoom).toMatchObject({ remaining: 2, stoppedBy: 'too_large' });
        expect(await store.count(ROOM)).toEqual({ total: 5, before: 0 });
      });
    });

    describe('identities, private rooms and server secrets', () => {
      it('keeps the first secret hash claimed for a clientId', async () => {
        expect(await store.getSecretHash('alice')).toBeNull();
        expect(await store.claimSecretHash('alice', 'a'.repeat(64))).toBe('a'.repeat(64));
        expect(await store.claimSecretHash('alice', 'b'.repeat(64))).toBe('a'.repeat(64));
        expect(await store.getSecretHash('alice')).toBe('a'.repeat(64));
      });

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
        expect(await store.claimSecretHash('idle-nothing', 'a'.repeat(64))).toBe('a'.repeat(64));
      });

      it('touches an identity at most once a day', async () => {
        await store.claimSecretHash('daily', 'd'.repeat(64));
        const claimed = await backend.lastSeenAt('daily');
        expect(claimed).toBe(now.toISOString());
        now = new Date(now.getTime() + 23 * HOUR);
        await store.touchClient('daily');
        expect(await backend.lastSeenAt('daily')).toBe(claimed);
        now = new Date(now.getTime() + 2 * HOUR);
        await store.touchClient('daily');
        expect(await backend.lastSeenAt('daily')).toBe(now.toISOString());
      });

      it('is swept by the server from its start, with the configured idle days', async () => {
        await store.claimSecretHash('long-gone', 'e'.repeat(64));
        now = new Date(now.getTime() + 8 * DAY);
        let sweptBefore: (before: Date) => void = () => undefined;
        const swept = new Promise<Date>((resolve) => (sweptBefore = resolve));
        const watched: NoteStore = Object.assign(Object.create(store) as NoteStore, {
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

      it('records a private room once, with its key hash', async () => {
        const page = 'https://example.com/article';
        expect(await store.getPrivateRoomKeyHash(page, 'p-abcdefghijkl')).toBeNull();
        expect(await store.createPrivateRoom(page, 'p-abcdefghijkl', 'f'.repeat(64))).toBe(true);
        expect(await store.createPrivateRoom(page, 'p-abcdefghijkl', '0'.repeat(64))).toBe(false);
        expect(await store.getPrivateRoomKeyHash(page, 'p-abcdefghijkl')).toBe('f'.repeat(64));
        expect(await store.getPrivateRoomKeyHash('https://example.com/other', 'p-abcdefghijkl')).toBeNull();
      });

      it('makes a server secret once and answers the same one on every later call and store', async () => {
        const key = await store.getServerSecret('peer-id');
        expect(key).toHaveLength(32);
        expect(await store.getServerSecret('peer-id')).toEqual(key);
        expect(await store.getServerSecret('other')).not.toEqual(key);
        await store.close();
        store = await open();
        expect(await store.getServerSecret('peer-id')).toEqual(key);
      });

      it('pings and reports health ok', async () => {
        await store.ping();
        expect(await store.health()).toEqual({ ok: true, store: 'ok' });
      });
    });

    describe('two connections at once (two nodes)', () => {
      it('stores one note for the same opId sent on two connections at the same moment', async () => {
        const other = await open();
        const alice = writer('alice');
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? store : other).create(
              ROOM,
              'op-raced-xxxx',
              { anchor: ANCHOR, body: `try ${i}` },
              alice,
            ),
          ),
        );
        const ids = results.map((result) => (result.ok ? result.value.note.id : result.reason));
        expect(new Set(ids).size).toBe(1);
        expect(results.filter((result) => result.ok && result.value.created)).toHaveLength(1);
        expect(await store.list(ROOM)).toHaveLength(1);
      });

      it('lets exactly one of two concurrent updates of one version win; the other gets conflict', async () => {
        const other = await open();
        const alice = writer('alice');
        const note = await noteOf(alice);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : other).update(ROOM, note.id, 1, `edit ${i}`, alice.author.id),
          ),
        );
        expect(results.filter((result) => result.ok)).toHaveLength(1);
        expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.reason)).toEqual(
          Array(7).fill('conflict'),
        );
        const [stored] = await store.list(ROOM);
        expect(stored!.version).toBe(2);
      });

      it('applies a replayed update opId racing itself once, and answers both with its outcome', async () => {
        const other = await open();
        const alice = writer('alice');
        const note = await noteOf(alice);
        const results = await Promise.all(
          [store, other, store, other].map((on) =>
            on.update(ROOM, note.id, 1, 'once', alice.author.id, 'op-twice-xxxx'),
          ),
        );
        expect(results.every((result) => result.ok)).toBe(true);
        const applied = results.filter((result) => result.ok && result.value.applied);
        expect(applied).toHaveLength(1);
        const values = results.map((result) => result.ok && result.value.value);
        expect(new Set(values.map((value) => JSON.stringify(value))).size).toBe(1);
      });

      it('never lets concurrent creates on two connections exceed the room or the author quota', async () => {
        const other = await open();
        const roomQuota = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            create(writer(`person-${i}`, { perRoom: 5 }), ROOM, `n${i}`, i % 2 === 0 ? store : other),
          ),
        );
        expect(roomQuota.filter((result) => result.ok)).toHaveLength(5);
        expect(roomQuota.filter((result) => !result.ok).map((result) => !result.ok && result.reason)).toEqual(
          Array(11).fill('too_large'),
        );
        expect(await store.count(ROOM)).toEqual({ total: 5, before: 0 });

        const rooms = Array.from({ length: 16 }, (_, i) => `public|https://example.com/page-${i}`);
        const authorQuota = await Promise.all(
          rooms.map((room, i) =>
            create(
              writer('busy-person', { perAuthorPerDay: 4 }, room),
              room,
              'x',
              i % 2 === 0 ? store : other,
            ),
          ),
        );
        expect(authorQuota.filter((result) => result.ok)).toHaveLength(4);
        expect(
          authorQuota.filter((result) => !result.ok).map((result) => !result.ok && result.reason),
        ).toEqual(Array(12).fill('rate_limited'));
      });

      it('lets one of concurrent first claims of a clientId and of a server secret win, and tells everyone', async () => {
        const other = await open();
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : other).claimSecretHash('contested', String(i).repeat(64)),
          ),
        );
        expect(new Set(claims).size).toBe(1);
        expect(await other.getSecretHash('contested')).toBe(claims[0]);
        const keys = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).getServerSecret('raced')),
        );
        expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
      });
    });
  });
}
