/**
 * Private rooms through the whole worker, against a real server with only the browser seam
 * faked: the invite key goes with every `notes:subscribe` (the room's own, an outbox replay's
 * by a later worker with no tab open), a tab keeps its private room across reloads,
 * back/forward and a restarted worker, and nothing in the popup says the key is missing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PopupApi } from '../../../extension/background/popup-api.js';
import { SettingsStore } from '../../../extension/background/settings.js';
import { createWorker, type BackgroundWorker } from '../../../extension/background/worker.js';
import type { ChromeApi } from '../../../extension/chrome-api.js';
import type { WorkerToContent } from '../../../extension/shared/messages.js';
import type { NoteChanged, RoomCreated } from '../../../protocol/index.js';
import { ask, makeAuth, type NotesClient } from '../../support/clients.js';
import {
  fakeChromeApi,
  FakeTab,
  isActive,
  isUpsert,
  ServerInbox,
  value,
  type ActiveSession,
  TEST_FILES,
} from '../../support/fake-extension.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { once } from '../../support/wait.js';

const ORIGIN = 'http://localhost:4173';
const PAGE = `${ORIGIN}/article.html`;
const OTHER = `${ORIGIN}/other.html`;
const ANCHOR = { selectors: [{ type: 'TextQuoteSelector' as const, exact: 'headland' }] };

let server: TestServer;
let api: ChromeApi;
let created: RoomCreated;
/** Dana: a plain client in the private room, with the key, who sees what the worker writes. */
let dana: NotesClient;
let notesInbox: ServerInbox;
let roomsInbox: ServerInbox;
const workers: BackgroundWorker[] = [];
const tabs: FakeTab[] = [];

async function newWorker(): Promise<{ worker: BackgroundWorker; popup: PopupApi }> {
  const settings = new SettingsStore(api);
  await settings.update({ serverUrl: server.url, name: 'Tester', enabledSites: [ORIGIN] });
  const worker = createWorker(api, settings, () => undefined, TEST_FILES);
  workers.push(worker);
  return { worker, popup: new PopupApi(api, settings, worker) };
}

/** A content script of tab `id` connects and says which page it shows. */
function openTab(worker: BackgroundWorker, id: number, url = PAGE): FakeTab {
  const tab = new FakeTab(id, url);
  tabs.push(tab);
  worker.tabs.handlePort(tab);
  tab.send({ type: 'hello', url });
  return tab;
}

const inPrivate = (m: WorkerToContent): m is ActiveSession => isActive(m) && m.channel === created.channel;
const isPublic = (m: WorkerToContent): m is ActiveSession => isActive(m) && m.channel === 'public';
const privateNotes = (m: WorkerToContent): m is Extract<WorkerToContent, { type: 'notes' }> =>
  m.type === 'notes' && m.room === created.room;

beforeEach(async () => {
  server = await startTestServer();
  api = fakeChromeApi(
    new Map([
      [1, PAGE],
      [2, PAGE],
    ]),
  );
  notesInbox = new ServerInbox(server, '/notes');
  roomsInbox = new ServerInbox(server, '/rooms');
  const creator = await server.rooms(makeAuth({ name: 'Dana' }));
  created = value<RoomCreated>(await ask(creator, 'room:create', { page: PAGE }));
  dana = await server.notes(makeAuth({ name: 'Dana' }));
  value(await ask(dana, 'notes:subscribe', { room: created.room, key: created.key }));
});

afterEach(async () => {
  for (const tab of tabs.splice(0)) tab.close();
  for (const worker of workers.splice(0)) worker.connection.close();
  await server?.dispose();
});

describe('a private room in the worker', () => {
  it('joins by invite code with the key on both namespaces, shows its notes and no key error', async () => {
    value(
      await ask(dana, 'note:create', { room: created.room, opId: 'dana-note-1', anchor: ANCHOR, body: 'hi' }),
    );
    const { worker, popup } = await newWorker();
    const tab = openTab(worker, 1);
    await tab.next(isPublic);

    expect(await worker.switcher.joinInvite(1, created.invite)).toEqual({ ok: true, value: null });
    await tab.next(inPrivate);
    const shown = await tab.next(privateNotes);
    expect(shown.notes.map((note) => note.body)).toEqual(['hi']);
    expect(roomsInbox.of('room:join')).toContainEqual(
      expect.objectContaining({ channel: created.channel, key: created.key }),
    );
    expect(notesInbox.of('notes:subscribe')).toContainEqual({
      room: created.room,
      key: created.key,
      since: 0,
    });
    // Every subscribe to the private room carried its key.
    for (const payload of notesInbox.of('notes:subscribe') as Array<{ room: string; key?: string }>) {
      if (payload.room === created.room) expect(payload.key).toBe(created.key);
    }

    // Writes go through: Dana sees the worker's note.
    const heard = once<NoteChanged>(dana, 'note:created');
    tab.send({ type: 'note:create', anchor: ANCHOR, body: 'from the worker' });
    expect((await heard).note.body).toBe('from the worker');
    await tab.next(isUpsert);

    const state = await popup.stateFor(1);
    expect(state.error).toBeNull();
    expect(state.room).toMatchObject({ private: true, invite: created.invite });
  });

  it('keeps a tab in its private room when it reloads, and after another page and back', async () => {
    const { worker } = await newWorker();
    const tab = openTab(worker, 1);
    await tab.next(isPublic);
    value(await worker.switcher.joinInvite(1, created.invite));
    await tab.next(inPrivate);

    // Reload: pagehide says leave, the port closes, a new content script says hello.
    tab.send({ type: 'leave' });
    tab.close();
    const reloaded = openTab(worker, 1);
    expect((await reloaded.next(isActive)).channel).toBe(created.channel);

    // Another page of the site: its public room; back to the first page: the private room again.
    reloaded.close();
    const elsewhere = openTab(worker, 1, OTHER);
    expect((await elsewhere.next(isActive)).channel).toBe('public');
    elsewhere.close();
    const back = openTab(worker, 1);
    expect((await back.next(isActive)).channel).toBe(created.channel);

    // Closing the tab forgets the choice: a new tab with that id starts in the public room.
    back.close();
    worker.tabs.tabClosed(1);
    expect((await openTab(worker, 1).next(isActive)).channel).toBe('public');
  });

  it('keeps the private room when a restarted worker hears the tab before it read its tab map back', async () => {
    const first = await newWorker();
    const tab = openTab(first.worker, 1);
    await tab.next(isPublic);
    value(await first.worker.switcher.joinInvite(1, created.invite));
    await tab.next(privateNotes);
    // Chrome stops the worker; the tab's port drops with it and reconnects to the next one at once.
    first.worker.connection.close();

    const second = await newWorker();
    void second.worker.start();
    const again = openTab(second.worker, 1);
    expect((await again.next(isActive)).channel).toBe(created.channel);
    // Its notes too: the new worker subscribed with the key it read back.
    await again.next(privateNotes);
  });

  it('replays a note written offline with the key, from a later worker with no tab in the room', async () => {
    const { worker } = await newWorker();
    const tab = openTab(worker, 1);
    await tab.next(isPublic);
    value(await worker.switcher.joinInvite(1, created.invite));
    await tab.next(privateNotes);

    // The server goes away; a note written now waits in the outbox (storage.local).
    const port = new URL(server.url).port;
    await server.stop();
    tab.send({ type: 'note:create', anchor: ANCHOR, body: 'written offline' });
    await tab.next(
      (m): m is Extract<WorkerToContent, { type: 'notes:pending' }> =>
        m.type === 'notes:pending' && m.ops.length === 1,
    );
    const stored = (await api.storageLocal.get('outbox')).outbox as Array<{ key?: string }>;
    expect(stored).toEqual([expect.objectContaining({ key: created.key })]);

    // The tab closes and Chrome stops the worker; the server comes back on the same address.
    tab.close();
    worker.tabs.tabClosed(1);
    worker.connection.close();
    server = await startTestServer({ ...server.sameData(), env: { PORT: port } });
    notesInbox = new ServerInbox(server, '/notes');
    dana = await server.notes(makeAuth({ name: 'Dana' }));
    value(await ask(dana, 'notes:subscribe', { room: created.room, key: created.key }));
    const heard = once<NoteChanged>(dana, 'note:created', (event) => event.note.body === 'written offline');

    // A new worker starts (an event wakes it) and sends what the last one left.
    const { worker: later } = await newWorker();
    await later.start();
    expect((await heard).room).toBe(created.room);
    expect(notesInbox.of('notes:subscribe')).toContainEqual({ room: created.room, key: created.key });
    await expect.poll(async () => (await api.storageLocal.get('outbox')).outbox).toEqual([]);
  });
});
