// Namespace /notes: imports paid per note in one transaction, bounded pages for
// subscribe and export, per-room and per-author quotas, and a store that cannot write
// answering `unavailable` while /healthz says so.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  LIMITS,
  type AnnotationCollection,
  type NoteAnchor,
  type NoteChanged,
  type NotesImported,
  type NotesChanges,
  type Result,
} from '../../protocol/index.js';
import type { ImportItem, Writer } from '../../server/store/note-store.js';
import { ask, makeAuth, type NotesClient } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = `public|${PAGE}`;
const ANCHOR: NoteAnchor = {
  selectors: [{ type: 'TextQuoteSelector', exact: 'shared words', prefix: 'some ', suffix: ' here' }],
};

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

async function subscribed(server: TestServer, auth = makeAuth(), room = ROOM): Promise<NotesClient> {
  const socket = await server.notes(auth);
  value(await ask(socket, 'notes:subscribe', { room }));
  return socket;
}

const createNote = (socket: NotesClient, fields: object = {}) =>
  ask(socket, 'note:create', { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'hello', ...fields });

/** A W3C collection of `count` annotations, as another tool (or our export) writes it. */
const collectionOf = (count: number, prefix = 'urn:test:' + opId() + ':') => ({
  type: 'AnnotationCollection',
  items: Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    type: 'Annotation',
    body: { type: 'TextualBody', value: `imported ${i}` },
    target: { source: PAGE, selector: ANCHOR.selectors },
  })),
});

/** Fills a room straight through the store (one transaction), as earlier writers did. */
async function seed(server: TestServer, count: number, body: string, room = ROOM): Promise<void> {
  const writer: Writer = {
    author: { id: 'seeder-peer', name: 'Seeder', color: '#112233' },
    clientId: 'seeder-client-id',
    quota: { perRoom: Infinity, perAuthorPerDay: Infinity },
  };
  const items = Array.from({ length: count }, (_, i): ImportItem => ({
    opId: `seed-${room.length}-${i}`,
    input: { anchor: ANCHOR, body: `${i} ${body}` },
  }));
  const outcome = await server.store.importNotes(room, items, writer, () => true);
  expect(outcome.created).toHaveLength(count);
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * A /notes client over a raw WebSocket (Engine.IO v4 framing by hand) that stops reading
 * after the handshake, as a hostile client may; `resume` reads again and collects acks.
 */
async function stalledReader(url: string) {
  const ws = new WebSocket(url.replace('http', 'ws') + '/socket.io/?EIO=4&transport=websocket');
  const acks = new Map<number, unknown>();
  let wake = () => undefined as void;
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text === '2') ws.send('3');
    const ack = /^43\/notes,(\d+)/.exec(text);
    if (!ack) return;
    acks.set(Number(ack[1]), (JSON.parse(text.slice(ack[0].length)) as unknown[])[0]);
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send('40/notes,' + JSON.stringify(makeAuth()));
      if (text.startsWith('40/notes,')) resolve();
    });
    ws.once('error', reject);
  });
  ws.pause();
  return {
    send(id: number, event: string, payload: unknown) {
      ws.send(`42/notes,${id}` + JSON.stringify([event, payload]));
    },
    /** Reads again until `count` more acks arrived (in id order), then stops reading. */
    async resume(count: number): Promise<unknown[]> {
      const from = acks.size;
      ws.resume();
      while (acks.size < from + count) await new Promise<void>((resolve) => (wake = resolve));
      ws.pause();
      return [...acks.entries()]
        .sort(([a], [b]) => a - b)
        .slice(from)
        .map(([, ack]) => ack);
    },
    close: () => ws.terminate(),
  };
}

describe.each(STORE_KINDS)('%s store', (kind) => {
  let server: TestServer;
  afterEach(() => server.dispose());

  describe('notes:import budget', () => {
    it('stores at most the socket’s note budget per import, and goes on where it stopped when sent again', async () => {
      server = await startTestServer({ store: kind });
      const alice = await subscribed(server);
      const watcher = await subscribed(server);
      const created = record<NoteChanged>(watcher, 'note:created');
      const collection = collectionOf(100);

      // The bucket holds 30 notes tokens: one pays for the request, 29 for notes.
      // The bucket refills at 10/s while a slow store commits, so a long import may store a
      // few more: the bound is the bucket plus what refilled meanwhile, never more.
      const timedImport = async () => {
        const started = performance.now();
        const answer = value<NotesImported>(await ask(alice, 'notes:import', { room: ROOM, collection }));
        const refilled = Math.ceil((performance.now() - started) / 100);
        expect(answer.created).toBeGreaterThanOrEqual(29);
        expect(answer.created).toBeLessThanOrEqual(29 + refilled);
        return answer;
      };
      const first = await timedImport();
      expect(first).toMatchObject({ unchanged: 0, skipped: 0, remaining: 100 - first.created });
      // Until the budget refills to its size: 30 tokens at 10/s.
      expect(first.retryAfterMs).toBeGreaterThan(2_500);
      expect(first.retryAfterMs).toBeLessThanOrEqual(3_000);
      expect(await server.store.list(ROOM)).toHaveLength(first.created);
      const last = `imported ${first.created - 1}`;
      if (!created.some((e) => e.note.body === last)) {
        await once(watcher, 'note:created', (e: NoteChanged) => e.note.body === last);
      }
      expect(created).toHaveLength(first.created);
      // Right away, even the request itself is over the budget.
      expect(codeOf(await ask(alice, 'notes:import', { room: ROOM, collection }))).toBe('rate_limited');

      // The server said when; waiting for it is the protocol, not a guess.
      await new Promise((resolve) => setTimeout(resolve, first.retryAfterMs));
      const second = await timedImport();
      const stored = first.created + second.created;
      expect(second).toMatchObject({ unchanged: first.created, remaining: 100 - stored });
      const bodies = (await server.store.list(ROOM)).map((note) => note.body);
      expect(bodies).toEqual(Array.from({ length: stored }, (_, i) => `imported ${i}`));
    });
  });

  describe('notes:subscribe and notes:page', () => {
    it('answers a big room in bounded pages that never skip nor repeat a note written while paging', async () => {
      server = await startTestServer({ store: kind });
      // About 1 KiB each: the byte bound cuts the pages, not the count.
      await seed(server, 1_200, 'z'.repeat(900));
      const alice = await server.notes();
      const bob = await subscribed(server);

      const pages: NotesChanges[] = [
        value<NotesChanges>(await ask(alice, 'notes:subscribe', { room: ROOM })),
      ];
      let written = 0;
      while (pages[pages.length - 1]!.next !== null) {
        // Someone writes between two pages.
        value(await createNote(bob, { body: `while paging ${written++}` }));
        const after = pages[pages.length - 1]!.next!;
        pages.push(value<NotesChanges>(await ask(alice, 'notes:page', { room: ROOM, after })));
      }
      expect(pages.length).toBeGreaterThanOrEqual(5);
      for (const page of pages) {
        expect(page.notes.length).toBeLessThanOrEqual(LIMITS.notesPerPage);
        expect(bytesOf(page.notes)).toBeLessThanOrEqual(LIMITS.pageBytes);
      }
      const paged = pages.flatMap((page) => page.notes.map((note) => note.id));
      expect(new Set(paged).size).toBe(paged.length);
      expect(paged).toEqual((await server.store.list(ROOM)).map((note) => note.id));
      expect(paged).toHaveLength(1_200 + written);
    });

    it('puts pages off for a client that does not read once two pages wait unsent, and serves it again once it reads', async () => {
      server = await startTestServer({ store: kind, env: { RATE_LIMIT_SCALE: '10' } });
      // About 1 KiB each: every first page is a full 256 KiB.
      await seed(server, 600, 'z'.repeat(900));
      const client = await stalledReader(server.url);
      // 300 pages are 75 MiB: more than the kernel's socket buffers hold (tcp_rmem may reach 32 MiB).
      const asked = 300;
      for (let id = 0; id < asked; id++) client.send(id, 'notes:subscribe', { room: ROOM });
      // The server has handled all of them when its counter says so (the client reads nothing).
      const handled = 'copresence_events_in_total{namespace="/notes",event="notes:subscribe"}';
      for (let seen = 0; seen < asked;) {
        const text = await (await fetch(server.url + '/metrics')).text();
        seen = Number(
          text
            .split('\n')
            .find((line) => line.startsWith(handled + ' '))
            ?.split(' ')[1] ?? 0,
        );
      }
      try {
        // What the kernel's buffers took, plus two pages, was answered with notes; the other
        // subscribes were answered with the page put off (subscribed, no notes yet).
        const pages = (await client.resume(asked)).map((ack) => value<NotesChanges>(ack));
        const deferred = pages.filter((page) => page.notes.length === 0 && page.next === '0');
        expect(deferred.length).toBeGreaterThan(asked / 3);
        expect(pages.filter((page) => page.notes.length > 0).length + deferred.length).toBe(asked);
        // Read up, the page put off is served from the room's start.
        client.send(asked, 'notes:page', { room: ROOM, after: '0' });
        const [served] = await client.resume(1);
        expect(value<NotesChanges>(served).notes[0]?.body).toMatch(/^0 z/);
      } finally {
        client.close();
      }
    });

    it('caps a page at 500 notes, and refuses pages of rooms not subscribed to and bad cursors', async () => {
      server = await startTestServer({ store: kind });
      await seed(server, 501, 'small');
      const alice = await server.notes();
      const first = value<NotesChanges>(await ask(alice, 'notes:subscribe', { room: ROOM }));
      expect(first.notes).toHaveLength(500);
      const last = value<NotesChanges>(await ask(alice, 'notes:page', { room: ROOM, after: first.next }));
      expect(last).toEqual({
        notes: [expect.objectContaining({ body: '500 small' })],
        deleted: [],
        next: null,
        revision: 501,
        reset: false,
      });

      const stranger = await server.notes();
      expect(codeOf(await ask(stranger, 'notes:page', { room: ROOM, after: first.next }))).toBe('forbidden');
      expect(codeOf(await ask(alice, 'notes:page', { room: ROOM, after: 'not-a-cursor' }))).toBe('invalid');
    });

    it('exports a big room page by page as AnnotationCollections', async () => {
      server = await startTestServer({ store: kind });
      await seed(server, 600, 'exported');
      const alice = await subscribed(server);
      const first = value<AnnotationCollection>(await ask(alice, 'notes:export', { room: ROOM }));
      expect(first).toMatchObject({ type: 'AnnotationCollection', total: 600 });
      expect(first.first).toMatchObject({ startIndex: 0, next: expect.any(String) });
      expect(first.first.items).toHaveLength(500);
      expect(bytesOf(first.first.items)).toBeLessThanOrEqual(LIMITS.pageBytes);
      const rest = value<AnnotationCollection>(
        await ask(alice, 'notes:export', { room: ROOM, after: first.first.next }),
      );
      expect(rest.first.startIndex).toBe(500);
      expect(rest.first.next).toBeUndefined();
      const bodies = [...first.first.items, ...rest.first.items].map((item) => item.body.value);
      expect(bodies).toEqual(Array.from({ length: 600 }, (_, i) => `${i} exported`));
    });
  });

  describe('note quotas', () => {
    it('refuses a note over MAX_NOTES_PER_ROOM with too_large, and still answers a retried opId', async () => {
      server = await startTestServer({ store: kind, env: { MAX_NOTES_PER_ROOM: '3' } });
      const alice = await subscribed(server);
      const bob = await subscribed(server);
      const retried = { room: ROOM, opId: opId(), anchor: ANCHOR, body: 'first' };
      const stored = value(await ask(alice, 'note:create', retried));
      value(await createNote(bob));
      value(await createNote(alice));
      const full = await createNote(bob);
      expect(full).toMatchObject({
        ok: false,
        error: { code: 'too_large', message: expect.stringMatching(/3 notes/) },
      });
      expect(await ask(alice, 'note:create', retried)).toEqual({ ok: true, value: stored });
      // An import into the full room is refused the same way and stores nothing.
      expect(await ask(alice, 'notes:import', { room: ROOM, collection: collectionOf(2) })).toMatchObject({
        ok: false,
        error: { code: 'too_large' },
      });
      expect(await server.store.list(ROOM)).toHaveLength(3);
      // Another room has room.
      const other = `team|${PAGE}`;
      value(await ask(bob, 'notes:subscribe', { room: other }));
      value(await createNote(bob, { room: other }));
    });

    it('refuses a person’s notes over MAX_NOTES_PER_AUTHOR_PER_DAY in any room and from any socket with rate_limited', async () => {
      server = await startTestServer({ store: kind, env: { MAX_NOTES_PER_AUTHOR_PER_DAY: '3' } });
      const auth = makeAuth();
      const alice = await subscribed(server, auth);
      const other = `team|${PAGE}`;
      value(await createNote(alice));
      value(await ask(alice, 'notes:subscribe', { room: other }));
      value(await createNote(alice, { room: other }));
      // Imports count too: one of the two fits.
      const imported = value<NotesImported>(
        await ask(alice, 'notes:import', { room: ROOM, collection: collectionOf(2) }),
      );
      expect(imported).toMatchObject({ created: 1, remaining: 1, retryAfterMs: 0 });
      expect(await ask(alice, 'notes:import', { room: ROOM, collection: collectionOf(2) })).toMatchObject({
        ok: false,
        error: { code: 'rate_limited' },
      });
      // Another socket of the same person (a second tab, a reconnect) is the same person.
      const again = await subscribed(server, auth, other);
      expect(await createNote(again, { room: other })).toMatchObject({
        ok: false,
        error: { code: 'rate_limited', message: expect.stringMatching(/3 notes in 24 hours/) },
      });
      // Someone else is not limited by it.
      const bob = await subscribed(server);
      value(await createNote(bob));
    });
  });
});

// A full disk is drilled on SQLite, whose file size the test can cap; PostgreSQL's failures
// are drilled by stopping it (tests/integration/pg-outage.test.ts).
describe('sqlite store', () => {
  const kind = 'sqlite';
  let server: TestServer;
  afterEach(() => server.dispose());

  describe('notes:import in one transaction', () => {
    it('commits an import in one transaction: a store that fills up midway keeps none of it', async () => {
      server = await startTestServer({ store: kind });
      const alice = await subscribed(server);
      const watcher = await subscribed(server);
      const created = record<NoteChanged>(watcher, 'note:created');
      // Room for a few of these notes, not for twenty.
      server.sqlite().capFileSize(8);
      // Six of 9,000 characters stay under the 64 KiB message limit.
      const items = collectionOf(6).items.map((item) => ({
        ...item,
        body: { type: 'TextualBody', value: 'y'.repeat(9_000) },
      }));
      const answer = await ask(alice, 'notes:import', { room: ROOM, collection: { items } });
      expect(codeOf(answer)).toBe('unavailable');
      expect(await server.store.list(ROOM)).toEqual([]);
      // The cap left room for some of them: the first one alone goes in, and is the only
      // note:created the watcher ever sees.
      const alone = await ask(alice, 'notes:import', {
        room: ROOM,
        collection: { items: items.slice(0, 1) },
      });
      expect(value(alone)).toMatchObject({ created: 1 });
      if (created.length === 0) await once(watcher, 'note:created');
      expect(created).toHaveLength(1);
      expect(await server.store.list(ROOM)).toHaveLength(1);
    });
  });

  describe('a store that cannot write', () => {
    it('answers unavailable and /healthz 503 read-only while writes fail, and recovers once a write succeeds', async () => {
      server = await startTestServer({ store: kind, env: { RATE_LIMIT_SCALE: '10' } });
      const alice = await subscribed(server);
      const health = async () => {
        const res = await fetch(server.url + '/healthz');
        return { status: res.status, body: (await res.json()) as unknown };
      };
      expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });

      server.sqlite().capFileSize(4);
      const codes: string[] = [];
      for (let i = 0; i < 40; i++) codes.push(codeOf(await createNote(alice, { body: 'w'.repeat(5_000) })));
      const firstRefused = codes.indexOf('unavailable');
      expect(firstRefused).toBeGreaterThan(0);
      // Once full, every write is refused as unavailable, never as an internal error.
      expect(codes.slice(firstRefused)).toEqual(Array(40 - firstRefused).fill('unavailable'));
      expect(await health()).toEqual({
        status: 503,
        body: { ok: false, store: 'read-only', reason: 'SQLITE_FULL' },
      });
      // Reading still works, and only the acked notes are stored.
      expect(await allNotes(alice, ROOM)).toHaveLength(firstRefused);

      // Still full: asking again tries a write, which fails too.
      expect((await health()).status).toBe(503);
      // Space is back: /healthz finds out by itself, before anyone writes a note.
      server.sqlite().capFileSize(null);
      expect(await health()).toEqual({ status: 200, body: { ok: true, store: 'ok' } });
      value(await createNote(alice, { body: 'space again' }));
    });
  });
});
