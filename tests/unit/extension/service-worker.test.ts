/**
 * The service worker (worker.ts and its parts) against a real server: only the browser seam (ChromeApi)
 * is faked. Checks the privacy rule (nothing reaches the server for a site that is not
 * enabled), one join per room however many tabs, cursors and notes both ways, and
 * leaving when sharing is turned off or the last tab goes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorker, type BackgroundWorker } from '../../../extension/background/worker.js';
import { SettingsStore } from '../../../extension/background/settings.js';
import type { WorkerToContent } from '../../../extension/shared/messages.js';
import type { ImportItem } from '../../../server/store/note-store.js';
import { KEEPALIVE_MS, type Note } from '../../../protocol/index.js';
import type {
  CursorBatch,
  NoteChanged,
  PresenceJoined,
  PresenceLeft,
  PresenceUpdated,
  RoomJoined,
} from '../../../protocol/index.js';
import { ask, makeAuth, type NotesClient, type RoomsClient } from '../../support/clients.js';
import {
  fakeChromeApi,
  FakeTab,
  isActive,
  isInactive,
  isSession,
  isUpsert,
  ServerInbox,
  value,
  TEST_FILES,
} from '../../support/fake-extension.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { once, record } from '../../support/wait.js';

const ORIGIN = 'http://localhost:4173';
const PAGE = `${ORIGIN}/article.html`;

let server: TestServer;
let worker: BackgroundWorker;
let observer: RoomsClient;
let observerNotes: NotesClient;
let room: string;
const openTabs: FakeTab[] = [];

function openTab(id: number, url = PAGE): FakeTab {
  const tab = new FakeTab(id, url);
  openTabs.push(tab);
  worker.tabs.handlePort(tab);
  tab.send({ type: 'hello', url });
  return tab;
}

beforeAll(async () => {
  server = await startTestServer();
  observer = await server.rooms();
  observerNotes = await server.notes();
  const joined = (await ask(observer, 'room:join', { page: PAGE })) as { ok: true; value: RoomJoined };
  room = joined.value.room;
  expect(await ask(observerNotes, 'notes:subscribe', { room })).toMatchObject({ ok: true });
});

afterEach(() => {
  for (const tab of openTabs.splice(0)) tab.close();
  worker?.connection.close();
});

afterAll(async () => {
  await server?.dispose();
});

async function newWorker(
  url = server.url,
  api = fakeChromeApi(new Map([[1, PAGE]])),
): Promise<BackgroundWorker> {
  const settings = new SettingsStore(api);
  await settings.update({ serverUrl: url, name: 'Tester' });
  return createWorker(api, settings, () => undefined, TEST_FILES);
}

describe('service worker', () => {
  it('sends nothing to the server for a site that is not enabled', async () => {
    worker = await newWorker();
    const joined = record<PresenceJoined>(observer, 'presence:joined');
    const tab = openTab(1);
    const session = await tab.next(isSession);
    expect(session).toEqual({ type: 'session', active: false, reason: 'off' });
    tab.send({ type: 'cursor:move', cursor: { x: 0.5, y: 0.5 } });
    // No connection was even opened, so the server cannot have seen the page.
    expect(worker.connection.status).toBe('idle');
    expect(worker.connection.url).toBeNull();
    expect(joined).toEqual([]);
  });

  it('joins every open tab of the site when sharing is turned on, with one join per room', async () => {
    worker = await newWorker();
    const first = openTab(1);
    const second = openTab(2);
    await first.next(isInactive);
    await second.next(isInactive);

    const arrived = once<PresenceJoined>(
      observer,
      'presence:joined',
      (event) => event.peer.name === 'Tester',
    );
    await worker.sharing.setSharing(ORIGIN, true);
    const [a, b] = await Promise.all([first.next(isActive), second.next(isActive)]);
    expect(a.room).toBe(room);
    expect(b.room).toBe(room);
    expect(a.self.id).toBe(b.self.id);
    expect(a.peers.map((peer) => peer.id)).toHaveLength(1);
    expect((await arrived).peer.id).toBe(a.self.id);

    // A newcomer sees the observer and one extension peer, not one per tab.
    const newcomer = await server.rooms();
    const seen = (await ask(newcomer, 'room:join', { page: PAGE })) as { ok: true; value: RoomJoined };
    expect(seen.value.peers.map((peer) => peer.name).sort()).toEqual(['Ada', 'Tester']);
    newcomer.close();
  });

  it('relays cursors to the server and batches from the server to the tabs', async () => {
    worker = await newWorker();
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    const session = await tab.next(isActive);

    const batch = once<CursorBatch>(observer, 'cursor:batch', (event) =>
      event.cursors.some((entry) => entry.peerId === session.self.id && entry.cursor !== null),
    );
    tab.send({ type: 'cursor:move', cursor: { x: 0.25, y: 0.5, anchor: { path: '#p1', fx: 0.1, fy: 0.2 } } });
    const mine = (await batch).cursors.find((entry) => entry.peerId === session.self.id);
    expect(mine?.cursor).toEqual({ x: 0.25, y: 0.5, anchor: { path: '#p1', fx: 0.1, fy: 0.2 } });

    // The worker takes packed batches: the anchor's path comes back through the room's path numbers.
    const mark = tab.received.length;
    const theirs = { x: 0.75, y: 0.125, anchor: { path: 'body > h1', fx: 0.5, fy: 0.25 } };
    observer.volatile.emit('cursor:move', { room, cursor: theirs });
    const forwarded = await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'cursors' }> => m.type === 'cursors',
      mark,
    );
    expect(forwarded.cursors).toContainEqual({ peerId: session.peers[0]?.id, cursor: theirs });
    // The tab never gets its own cursor back, although the server's frames carry it.
    const toTab = tab.received.flatMap((m) => (m.type === 'cursors' ? m.cursors : []));
    expect(toTab.some((entry) => entry.peerId === session.self.id)).toBe(false);
  });

  it('creates a note with an opId, shows it in every tab of the room and broadcasts it to others', async () => {
    worker = await newWorker();
    await worker.sharing.setSharing(ORIGIN, true);
    const first = openTab(1);
    const second = openTab(2);
    await Promise.all([first.next(isActive), second.next(isActive)]);

    const broadcast = once<NoteChanged>(observerNotes, 'note:created');
    const anchor = { selectors: [{ type: 'TextQuoteSelector' as const, exact: 'headland', prefix: 'the ' }] };
    first.send({ type: 'note:create', anchor, body: 'Which headland?' });
    const [mine, other] = await Promise.all([first.next(isUpsert), second.next(isUpsert)]);
    expect(mine.note).toMatchObject({ body: 'Which headland?', anchor, author: { name: 'Tester' } });
    expect(other.note.id).toBe(mine.note.id);
    expect((await broadcast).note.id).toBe(mine.note.id);

    // A tab opened later gets the room's notes at once.
    const third = openTab(3);
    const notes = await third.next(
      (m): m is Extract<WorkerToContent, { type: 'notes' }> => m.type === 'notes',
    );
    expect(notes.notes.map((note) => note.id)).toContain(mine.note.id);
  });

  it('leaves when sharing is turned off, and when the last tab of the room closes', async () => {
    worker = await newWorker();
    await worker.sharing.setSharing(ORIGIN, true);
    const first = openTab(1);
    const session = await first.next(isActive);

    let left = once<PresenceLeft>(observer, 'presence:left', (event) => event.peerId === session.self.id);
    const mark = first.received.length;
    await worker.sharing.setSharing(ORIGIN, false);
    expect(await first.next(isInactive, mark)).toMatchObject({ active: false, reason: 'off' });
    await left;

    await worker.sharing.setSharing(ORIGIN, true);
    await first.next(isActive, mark);
    const second = openTab(2);
    await second.next(isActive);
    left = once<PresenceLeft>(observer, 'presence:left', (event) => event.peerId === session.self.id);
    second.close();
    // One tab still shows the page: still in the room.
    expect(worker.sessions.rooms.size).toBe(1);
    first.close();
    expect(worker.sessions.rooms.size).toBe(0);
    await left;
  });
});

describe('idle presence', () => {
  const isPeers = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'peers' }> =>
    m.type === 'peers';

  it('tells the server the room is idle once every tab in it is, and active again on the first input', async () => {
    worker = await newWorker();
    await worker.sharing.setSharing(ORIGIN, true);
    const first = openTab(1);
    const second = openTab(2);
    const [session] = await Promise.all([first.next(isActive), second.next(isActive)]);
    const updates = record<PresenceUpdated>(observer, 'presence:updated');
    const mine = (idle: boolean) => (event: PresenceUpdated) =>
      event.peer.id === session.self.id && event.peer.idle === idle;

    first.send({ type: 'idle', idle: true });
    // Still active in the second tab: nothing to announce yet.
    const idle = once<PresenceUpdated>(observer, 'presence:updated', mine(true));
    second.send({ type: 'idle', idle: true });
    expect((await idle).room).toBe(room);
    expect(updates.filter((event) => event.peer.id === session.self.id)).toHaveLength(1);

    const active = once<PresenceUpdated>(observer, 'presence:updated', mine(false));
    second.send({ type: 'idle', idle: false });
    await active;
    expect(updates.filter((event) => event.peer.id === session.self.id).map((e) => e.peer.idle)).toEqual([
      true,
      false,
    ]);
  });

  it('passes an idle peer on to the tabs, which draw it dimmed', async () => {
    worker = await newWorker();
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    const session = await tab.next(isActive);
    const observerId = session.peers[0]?.id;
    const mark = tab.received.length;
    observer.emit('presence:update', { room, idle: true });
    const peers = await tab.next(isPeers, mark);
    expect(peers.peers).toEqual([expect.objectContaining({ id: observerId, idle: true })]);
    observer.emit('presence:update', { room, idle: false });
    const back = await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'peers' }> => isPeers(m) && m.peers[0]?.idle === false,
      mark,
    );
    expect(back.peers).toEqual([expect.objectContaining({ id: observerId, idle: false })]);
  });
});

describe('keep-alive', () => {
  // Its own servers, started before the fake clock, so the fake intervals never touch the
  // shared server's timers. Only setInterval is faked: sockets keep their real timeouts.
  const own: TestServer[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const s of own.splice(0)) await s.dispose();
  });

  async function ownServer(env: Record<string, string> = {}): Promise<{ s: TestServer; inbox: ServerInbox }> {
    const s = await startTestServer({ env });
    own.push(s);
    const inbox = new ServerInbox(s);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    return { s, inbox };
  }

  it('sends a presence:update to every joined room each 10 s while the connection is open, and stops when it closes', async () => {
    expect(KEEPALIVE_MS).toBeLessThanOrEqual(20_000 / 2);
    const { s, inbox } = await ownServer();
    worker = await newWorker(s.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const first = openTab(1);
    const second = openTab(2, `${ORIGIN}/other.html`);
    const [a, b] = await Promise.all([first.next(isActive), second.next(isActive)]);
    expect(a.room).not.toBe(b.room);
    expect(inbox.of('presence:update')).toEqual([]);

    for (let round = 1; round <= 3; round += 1) {
      vi.advanceTimersByTime(KEEPALIVE_MS);
      const updates = await inbox.count('presence:update', round * 2);
      expect(updates.slice(-2)).toEqual(
        expect.arrayContaining([
          { room: a.room, idle: false },
          { room: b.room, idle: false },
        ]),
      );
    }
    // Keep-alives are quiet: the rooms' members are not told about them.
    expect(inbox.of('presence:update')).toHaveLength(6);

    await worker.sharing.setPaused(true);
    expect(worker.connection.status).toBe('idle');
    // No timer left to wake a worker that has nothing to keep alive.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the background awake on every keep-alive while the connection is open (Firefox suspends an idle one)', async () => {
    const { s } = await ownServer();
    const api = fakeChromeApi(new Map([[1, PAGE]]));
    let awake = 0;
    api.keepBackgroundAwake = () => void awake++;
    worker = await newWorker(s.url, api);
    await worker.sharing.setSharing(ORIGIN, true);
    await openTab(1).next(isActive);
    for (let round = 1; round <= 3; round += 1) {
      vi.advanceTimersByTime(KEEPALIVE_MS);
      expect(awake).toBe(round);
    }
    await worker.sharing.setPaused(true);
    vi.advanceTimersByTime(KEEPALIVE_MS * 3);
    expect(awake).toBe(3);
  });

  it('joins again when a keep-alive finds the server dropped it (presence TTL)', async () => {
    const { s, inbox } = await ownServer({ PRESENCE_TTL_MS: '200' });
    const watcher = await s.rooms();
    worker = await newWorker(s.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    const session = await tab.next(isActive);
    const joined = (await ask(watcher, 'room:join', { page: PAGE })) as { ok: true; value: RoomJoined };
    expect(joined.value.room).toBe(session.room);
    // The watcher keeps itself alive by hand (setInterval is the fake one here).
    let keepTimer: ReturnType<typeof setTimeout> | undefined;
    const keep = () => {
      watcher.emit('presence:update', { room: joined.value.room, idle: false });
      keepTimer = setTimeout(keep, 50);
    };
    keep();
    try {
      await once<PresenceLeft>(watcher, 'presence:left', (event) => event.peerId === session.self.id);
      const back = once<PresenceJoined>(watcher, 'presence:joined', (event) => event.peer.name === 'Tester');
      vi.advanceTimersByTime(KEEPALIVE_MS);
      await back;
      // The worker's first join, the watcher's, and the worker's join again.
      expect(inbox.of('room:join')).toHaveLength(3);
    } finally {
      clearTimeout(keepTimer);
    }
  });
});

describe('a room bigger than one page', () => {
  let big: TestServer;
  let bigRoom: string;
  beforeAll(async () => {
    // Scale 10: the import below takes seconds, not the minute 600 notes take at 10/s.
    big = await startTestServer({ env: { RATE_LIMIT_SCALE: '10', MAX_NOTES_PER_AUTHOR_PER_DAY: '2000' } });
    const probe = await big.rooms();
    bigRoom = ((await ask(probe, 'room:join', { page: PAGE })) as { ok: true; value: RoomJoined }).value.room;
    probe.close();
    const items = Array.from({ length: 600 }, (_, i): ImportItem => ({
      opId: `seeded-${i}-xxxx`,
      input: { anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'headland' }] }, body: `note ${i}` },
    }));
    const writer = {
      author: { id: 'seeder', name: 'Seeder', color: '#112233' },
      clientId: 'seeder-client',
      quota: { perRoom: 5_000, perAuthorPerDay: 5_000 },
    };
    expect((await big.store.importNotes(bigRoom, items, writer, () => true)).created).toHaveLength(600);
  });
  afterAll(async () => {
    await big?.dispose();
  });

  it('shows every page of the room, exports it as one file and imports that file back within the budget', async () => {
    worker = await newWorker(big.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    const shown = await tab.next((m): m is Extract<WorkerToContent, { type: 'notes' }> => m.type === 'notes');
    expect(shown.notes.map((note) => note.body)).toEqual(Array.from({ length: 600 }, (_, i) => `note ${i}`));

    tab.send({ type: 'notes:export' });
    const exported = await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'notes:exported' }> => m.type === 'notes:exported',
    );
    const file = exported.collection as { total: number; first: { items: unknown[]; next?: string } };
    expect(file.total).toBe(600);
    expect(file.first.items).toHaveLength(600);
    expect(file.first.next).toBeUndefined();

    // 600 annotations are over the 64 KiB message and the 500-item limits, and over the
    // socket's note budget: the worker sends them in pieces, again until all are stored.
    tab.send({ type: 'notes:import', collection: exported.collection });
    const imported = await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'notes:imported' }> => m.type === 'notes:imported',
      0,
      20_000,
    );
    expect(imported).toEqual({
      type: 'notes:imported',
      room: bigRoom,
      created: 600,
      unchanged: 0,
      skipped: 0,
    });
    expect(await big.store.list(bigRoom)).toHaveLength(1_200);
  }, 30_000);

  it('says which item of the file was skipped and why, counted in the file as the user sees it', async () => {
    worker = await newWorker(big.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    await tab.next((m): m is Extract<WorkerToContent, { type: 'notes' }> => m.type === 'notes');
    const quote = { type: 'TextQuoteSelector', exact: 'headland' };
    const items = [
      // A reply first: the worker sends it after the notes, yet the file's order names the item.
      { id: 'urn:x:reply', type: 'Annotation', bodyValue: 'reply', target: 'urn:x:note' },
      { id: 'urn:x:note', type: 'Annotation', bodyValue: 'note', target: { source: PAGE, selector: quote } },
      {
        id: 'urn:x:xpath',
        type: 'Annotation',
        bodyValue: 'xpath only',
        target: { source: PAGE, selector: { type: 'XPathSelector', value: '/html/body/p[2]' } },
      },
    ];
    tab.send({ type: 'notes:import', collection: { type: 'AnnotationCollection', items } });
    const imported = await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'notes:imported' }> => m.type === 'notes:imported',
    );
    expect(imported).toMatchObject({
      created: 2,
      skipped: 1,
      firstSkipped: { index: 2, message: expect.stringContaining('XPathSelector') },
    });
  });
});

/** What a tab shows after the messages it was sent: whole sets, then changes, in order. */
function shownIn(tab: FakeTab): Map<string, Note> {
  const shown = new Map<string, Note>();
  for (const message of tab.received) {
    if (message.type === 'notes') {
      shown.clear();
      for (const note of message.notes) shown.set(note.id, note);
    } else if (message.type === 'note:upsert') shown.set(message.note.id, message.note);
    else if (message.type === 'note:removed') shown.delete(message.id);
  }
  return shown;
}

const bodies = (notes: Iterable<Note>) => [...notes].map((note) => note.body).sort();

describe('catch-up by revision', () => {
  let own: TestServer;
  afterEach(async () => {
    await own?.dispose();
  });

  const ANCHOR = { selectors: [{ type: 'TextQuoteSelector' as const, exact: 'headland' }] };

  /** A fresh server, and another client subscribed to the room of PAGE, writing there. */
  async function roomWithOther(): Promise<{ other: NotesClient; ownRoom: string }> {
    own = await startTestServer();
    const other = await own.notes(makeAuth({ name: 'Other' }));
    const joined = (await ask(await own.rooms(), 'room:join', { page: PAGE })) as {
      ok: true;
      value: RoomJoined;
    };
    value(await ask(other, 'notes:subscribe', { room: joined.value.room }));
    return { other, ownRoom: joined.value.room };
  }

  /** Drops the worker's connection the way a network does (both namespaces); it reconnects by itself. */
  function dropConnection(): void {
    const mine = [...own.app.io.of('/notes').sockets.values()].filter(
      (socket) => socket.data.name === 'Tester',
    );
    expect(mine).toHaveLength(1);
    mine[0]!.conn.close();
  }

  it('subscribes again with the revision it holds after /notes drops, and the tab ends with the changes, deletions included', async () => {
    const { other, ownRoom } = await roomWithOther();
    const write = async (event: string, payload: object) =>
      value<Note>(await ask(other, event, { room: ownRoom, ...payload }));
    const anchor = ANCHOR;
    const [kept, edited, dropped] = [
      await write('note:create', { opId: 'seed-kept-xx', anchor, body: 'kept' }),
      await write('note:create', { opId: 'seed-edit-xx', anchor, body: 'edited' }),
      await write('note:create', { opId: 'seed-drop-xx', anchor, body: 'dropped' }),
    ];

    // What the worker's /notes connections send (it connects after this; the others before).
    const inbox = new ServerInbox(own, '/notes');
    worker = await newWorker(own.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    const isNotes = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'notes' }> =>
      m.type === 'notes';
    await tab.next(isNotes);
    expect(bodies(shownIn(tab).values())).toEqual(['dropped', 'edited', 'kept']);
    expect(inbox.of('notes:subscribe')).toEqual([{ room: ownRoom, since: 0 }]);

    // A live event moves the worker's revision on: 4 follows the 3 it read.
    const live = await write('note:create', { opId: 'live-note-xx', anchor, body: 'live' });
    await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'note:upsert' }> => isUpsert(m) && m.note.id === live.id,
    );

    // Changes the worker cannot hear live: made on another node, straight into the shared store.
    const author = edited.author.id;
    value(await own.store.update(ownRoom, edited.id, 1, 'edited elsewhere', author));
    value(await own.store.delete(ownRoom, dropped.id, 1, author));
    const added = await own.store.create(
      ownRoom,
      'elsewhere-xx',
      { anchor, body: 'added elsewhere' },
      {
        author: kept.author,
        clientId: 'someone-else',
        quota: { perRoom: 100, perAuthorPerDay: 100 },
      },
    );
    expect(added.ok && added.value.note.revision).toBe(7);

    const mark = tab.received.length;
    dropConnection();
    // Back: the worker asks for what came after revision 4, and only that.
    const [, again] = await inbox.count('notes:subscribe', 2);
    expect(again).toEqual({ room: ownRoom, since: 4 });
    await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'note:upsert' }> =>
        isUpsert(m) && m.note.body === 'added elsewhere',
      mark,
      10_000,
    );
    const after = tab.received.slice(mark);
    // Changes, not the whole room again.
    expect(after.filter((m) => m.type === 'notes')).toEqual([]);
    expect(after.filter((m) => m.type === 'note:removed')).toEqual([
      { type: 'note:removed', room: ownRoom, id: dropped.id },
    ]);
    expect(after.filter(isUpsert).map((m) => m.note.body)).toEqual(['edited elsewhere', 'added elsewhere']);
    expect(bodies(shownIn(tab).values())).toEqual(['added elsewhere', 'edited elsewhere', 'kept', 'live']);
    expect(bodies(shownIn(tab).values())).toEqual(bodies(await own.store.list(ownRoom)));

    // A tab opened now gets the whole room from the worker's cache, without asking the server.
    const second = openTab(2);
    const shown = await second.next(isNotes);
    expect(bodies(shown.notes)).toEqual(['added elsewhere', 'edited elsewhere', 'kept', 'live']);
    expect(inbox.of('notes:subscribe')).toHaveLength(2);
  }, 20_000);

  it('catches up from the revision a stopped worker kept, and gives the tabs of the new one the whole room', async () => {
    const { other, ownRoom } = await roomWithOther();
    const anchor = ANCHOR;
    const notes: Note[] = [];
    for (const body of ['kept', 'edited', 'dropped']) {
      notes.push(
        value<Note>(
          await ask(other, 'note:create', { room: ownRoom, opId: `seed-${body}-xx`, anchor, body }),
        ),
      );
    }
    const [kept, edited, dropped] = notes as [Note, Note, Note];

    const inbox = new ServerInbox(own, '/notes');
    // One browser: the second worker finds what the first left in storage.session.
    const api = fakeChromeApi(new Map([[1, PAGE]]));
    worker = await newWorker(own.url, api);
    await worker.sharing.setSharing(ORIGIN, true);
    const isNotes = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'notes' }> =>
      m.type === 'notes';
    const before = openTab(1);
    await before.next(isNotes);
    // Chrome stops the worker (after the cache's write, which waits a second at most).
    await worker.notes.cache.flush();
    worker.connection.close();
    before.close();

    // Meanwhile, on some node.
    value(await own.store.update(ownRoom, edited.id, 1, 'edited meanwhile', edited.author.id));
    value(await own.store.delete(ownRoom, dropped.id, 1, dropped.author.id));
    const added = value<Note>(
      await ask(other, 'note:create', {
        room: ownRoom,
        opId: 'meanwhile-xx',
        anchor,
        body: 'added meanwhile',
      }),
    );

    worker = await newWorker(own.url, api);
    const after = openTab(1);
    const shown = await after.next(isNotes);
    const subscribes = inbox.of('notes:subscribe');
    expect(subscribes).toEqual([
      { room: ownRoom, since: 0 },
      { room: ownRoom, since: 3 },
    ]);
    expect(bodies(shown.notes)).toEqual(['added meanwhile', 'edited meanwhile', 'kept']);
    expect(shown.notes.find((note) => note.id === kept.id)).toEqual(kept);
    expect(shown.notes.find((note) => note.id === added.id)).toEqual(added);
    expect(bodies(shown.notes)).toEqual(bodies(await own.store.list(ownRoom)));
  }, 20_000);

  it('does not move its revision over a gap: an event that overtook an earlier change leaves that change to the catch-up', async () => {
    const { other, ownRoom } = await roomWithOther();
    const anchor = ANCHOR;
    const first = value<Note>(
      await ask(other, 'note:create', { room: ownRoom, opId: 'gap-first-xx', anchor, body: 'first' }),
    );

    const inbox = new ServerInbox(own, '/notes');
    worker = await newWorker(own.url);
    await worker.sharing.setSharing(ORIGIN, true);
    const tab = openTab(1);
    await tab.next((m): m is Extract<WorkerToContent, { type: 'notes' }> => m.type === 'notes');

    // Two changes on another node: revision 2 is still on its way when revision 3 arrives.
    value(await own.store.update(ownRoom, first.id, 1, 'first, edited', first.author.id));
    const writer = {
      author: first.author,
      clientId: 'someone-else',
      quota: { perRoom: 100, perAuthorPerDay: 100 },
    };
    const overtaking = await own.store.create(ownRoom, 'gap-third-xx', { anchor, body: 'third' }, writer);
    if (!overtaking.ok) throw new Error(overtaking.reason);
    expect(overtaking.value.note.revision).toBe(3);
    own.app.io.of('/notes').to(ownRoom).emit('note:created', { room: ownRoom, note: overtaking.value.note });
    await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'note:upsert' }> => isUpsert(m) && m.note.body === 'third',
    );

    // Revision 2 never arrives live; the catch-up asks from 1, so it is not lost.
    const mark = tab.received.length;
    dropConnection();
    const [, again] = await inbox.count('notes:subscribe', 2);
    expect(again).toEqual({ room: ownRoom, since: 1 });
    await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'note:upsert' }> =>
        isUpsert(m) && m.note.body === 'first, edited',
      mark,
      10_000,
    );
    expect(bodies(shownIn(tab).values())).toEqual(['first, edited', 'third']);
    // The note that came twice (live, then in the catch-up) went to the tab once.
    expect(tab.received.filter((m) => isUpsert(m) && m.note.body === 'third')).toHaveLength(1);
  }, 20_000);
});
