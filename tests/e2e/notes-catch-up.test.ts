/**
 * Catch-up by revision with real Chromium. Notes change where Bob's extension
 * cannot hear it: while the server is down (written straight into its database), and on
 * "another node" (straight into the shared store). When Bob's worker reconnects, and when
 * Chrome stops it and starts a new one, it asks only for the changes after the revision it
 * holds (kept in chrome.storage.session across the restart), and Bob's page shows them:
 * the edit, the deletion, the new note.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note } from '../../protocol/index.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { addNote, cardWith, cards } from './support/notes-ui.js';
import { terminateWorker } from './support/sharing.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

let users: TwoUsers;
let alicePage: Page;
let bobPage: Page;
let room: string;

/** `notes:subscribe` payloads Bob's worker sent since the server (re)started, in order. */
const bobSubscribes: unknown[] = [];

function watchSubscribes(): void {
  users.server
    .app()!
    .io.of('/notes')
    .on('connection', (socket) => {
      socket.onAny((event: string, payload: unknown) => {
        if (event === 'notes:subscribe' && socket.data.name === 'Bob') bobSubscribes.push(payload);
      });
    });
}

/** Writes straight into the server's database, as another node (or a restore) would: no broadcast. */
async function elsewhere<T>(write: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open(users.server.dataDir);
  try {
    return await write(store);
  } finally {
    await store.close();
  }
}

/** The text of every card on the page, joined. */
async function bodiesOn(page: Page): Promise<string> {
  const all = cards(page);
  const texts: string[] = [];
  for (let i = 0, n = await all.count(); i < n; i++) texts.push(await all.nth(i).textContent());
  return texts.join('\n');
}

/** In the worker's scope, not this file's. */
declare const chrome: { storage: { session: { get(keys: null): Promise<Record<string, unknown>> } } };

beforeAll(async () => {
  users = await twoUsersOnArticle();
  ({ alicePage, bobPage } = users);
  room = `public|${users.pages.url}/article.html`;
});

afterAll(async () => {
  await users?.close();
});

describe('catch-up by revision', () => {
  let first: Note;

  it('shows Bob what changed while the server was down, from the revision his worker held', async () => {
    await addNote(alicePage, '#p1', 'ledger', 'Who kept this ledger?');
    await addNote(alicePage, '#p2', 'headland', 'Which headland is this?');
    await cardWith(bobPage, 'Who kept this ledger?').waitFor();
    await cardWith(bobPage, 'Which headland is this?').waitFor();

    await users.server.stop();
    const notes = await elsewhere((store) => store.list(room));
    expect(notes.map((note) => note.revision)).toEqual([1, 2]);
    const [ledger, headland] = notes as [Note, Note];
    await elsewhere(async (store) => {
      const edited = await store.update(
        room,
        ledger.id,
        1,
        'Who kept this ledger? His father.',
        ledger.author.id,
      );
      if (!edited.ok) throw new Error(edited.reason);
      first = edited.value.value;
      expect((await store.delete(room, headland.id, 1, headland.author.id)).ok).toBe(true);
    });
    await users.server.restart();
    watchSubscribes();

    await expect.poll(() => bodiesOn(bobPage), { timeout: 20_000 }).toContain('His father.');
    await expect.poll(() => bodiesOn(bobPage)).not.toContain('Which headland is this?');
    expect(bobSubscribes).toEqual([{ room, since: 2 }]);
  });

  it('catches up a new worker from the revision the stopped one kept, and shows the whole room', async () => {
    // Bob's worker keeps the room's notes and revision (4) in chrome.storage.session.
    const kept = async () =>
      (await (await users.bob.worker()).evaluate(() => chrome.storage.session.get(null))) as Record<
        string,
        { revision?: number } | null
      >;
    await expect
      .poll(async () => Object.entries(await kept()).find(([key]) => key.endsWith(`|${room}`))?.[1]?.revision)
      .toBe(4);

    // On another node sharing the store: Bob hears none of it live.
    await elsewhere(async (store) => {
      const edited = await store.update(
        room,
        first.id,
        first.version,
        'His father, then his son.',
        first.author.id,
      );
      expect(edited.ok).toBe(true);
      const author = {
        author: first.author,
        clientId: 'alice-elsewhere',
        quota: { perRoom: 100, perAuthorPerDay: 100 },
      };
      const added = await store.create(
        room,
        'from-another-node',
        { anchor: first.anchor, body: 'Seen from the lighthouse.' },
        author,
      );
      expect(added.ok).toBe(true);
    });
    expect(await bodiesOn(bobPage)).not.toContain('then his son');

    bobSubscribes.length = 0;
    await terminateWorker(users.bob, bobPage);
    await expect.poll(() => bodiesOn(bobPage), { timeout: 20_000 }).toContain('then his son.');
    await expect.poll(() => bodiesOn(bobPage)).toContain('Seen from the lighthouse.');
    expect(await bodiesOn(bobPage)).not.toContain('Which headland is this?');
    expect(await cards(bobPage).count()).toBe(2);
    expect(bobSubscribes).toEqual([{ room, since: 4 }]);
  });
});
