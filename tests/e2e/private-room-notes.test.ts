/**
 * Notes in a private room, end to end in real Chromium: Alice makes a private room, Bob
 * enters it by invite code, and each sees the other's notes. The private room holds across
 * reloads and back/forward. A note Alice writes while the server is down waits in her
 * outbox; she moves on to a page that is not shared, so no tab of hers has the room open,
 * Chrome stops her service worker, and the server comes back: the new worker replays the
 * note into the private room with the invite key the op kept, and Bob sees it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, cardWith, cards, pendingItems } from './support/notes-ui.js';
import { overlay } from './support/overlay-probe.js';
import { terminateWorker } from './support/sharing.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;
let alicePage: Page;
let bobPage: Page;
let invite: string;

/** The room the popup shows for the tab of `page`: "Private room", "public", a name. */
async function roomIn(user: TwoUsers['alice'], page: Page): Promise<string> {
  const popup = await user.openPopup(page);
  try {
    await popup.locator('#room .channel').waitFor();
    return (await popup.locator('#room .channel').textContent()) ?? '';
  } finally {
    await popup.close();
  }
}

/** `notes:subscribe` payloads the server received from `name` since the server (re)started. */
function subscribesOf(name: string): Array<{ room: string; key?: string }> {
  const seen: Array<{ room: string; key?: string }> = [];
  users.server
    .app()!
    .io.of('/notes')
    .on('connection', (socket) => {
      socket.onAny((event: string, payload: { room: string; key?: string }) => {
        if (event === 'notes:subscribe' && socket.data.name === name) seen.push(payload);
      });
    });
  return seen;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle();
  ({ alicePage, bobPage } = users);
});

afterAll(async () => {
  await users?.close();
});

describe('notes in a private room', () => {
  it('shows each one’s notes to the other after Bob joins by invite code, with no key error', async () => {
    const alicePopup = await users.alice.openPopup(alicePage);
    await alicePopup.locator('#private-create').click();
    await alicePopup.locator('#invite').waitFor();
    invite = await alicePopup.locator('#invite-code').inputValue();
    await alicePopup.close();

    const bobPopup = await users.bob.openPopup(bobPage);
    await bobPopup.locator('#invite-input').fill(invite);
    await bobPopup.locator('#invite-join').click();
    await bobPopup.locator('#room .channel').filter({ hasText: 'Private room' }).waitFor();
    await bobPopup.locator('#peers li').filter({ hasText: 'Alice' }).waitFor();
    // Give a refused subscribe time to show: there must be none.
    await bobPopup.waitForTimeout(500);
    expect(await bobPopup.locator('#error').isHidden()).toBe(true);
    expect(await bobPopup.locator('body').textContent()).not.toContain('needs a valid key');
    await bobPopup.screenshot({ path: `${SCREENSHOTS}/popup-joined-by-code.png` });
    await bobPopup.close();

    await alicePage.bringToFront();
    await addNote(alicePage, '#p1', 'ledger', 'Private: who kept this ledger?');
    await cardWith(bobPage, 'Private: who kept this ledger?').waitFor();
    await bobPage.bringToFront();
    await addNote(bobPage, '#p2', 'headland', 'Private: the headland is Bob’s');
    await cardWith(alicePage, 'Private: the headland is Bob’s').waitFor();
    await overlay(bobPage).locator('[data-collab-indicator]').filter({ hasText: 'private room' }).waitFor();
  });

  it('keeps Bob in the private room when he reloads, and when he goes elsewhere and back', async () => {
    await bobPage.reload();
    await cardWith(bobPage, 'Private: who kept this ledger?').waitFor();
    await overlay(bobPage).locator('[data-collab-indicator]').filter({ hasText: 'private room' }).waitFor();
    expect(await roomIn(users.bob, bobPage)).toBe('Private room');

    await bobPage.goto(`${users.pages.url}/late.html`);
    expect(await roomIn(users.bob, bobPage)).toBe('public');
    await bobPage.goBack();
    await cardWith(bobPage, 'Private: the headland is Bob’s').waitFor();
    expect(await roomIn(users.bob, bobPage)).toBe('Private room');
    expect(await cards(bobPage).count()).toBe(2);
    await bobPage.screenshot({ path: `${SCREENSHOTS}/private-room-after-reload.png` });
  });

  it('replays a note Alice wrote offline, after her worker stopped and no tab of hers is in the room', async () => {
    await users.server.stop();
    await alicePage.bringToFront();
    await addNote(alicePage, '#p3', 'almanac', 'Private, written offline');
    await pendingItems(alicePage).filter({ hasText: 'Private, written offline' }).waitFor();

    // On to another page of the site: her tab leaves the private room (a room choice holds for
    // its page). It stays on a site she shares, so a script of ours is there to wake the next
    // worker: on a site not granted none runs (least privilege), and nothing would.
    await alicePage.goto(`${users.pages.url}/late.html`);
    await terminateWorker(users.alice, alicePage);
    await users.server.restart();
    const aliceSubscribes = subscribesOf('Alice');

    // The next worker (woken by the tab's port) sends the note with the room's key.
    await cardWith(bobPage, 'Private, written offline').waitFor({ timeout: 30_000 });
    const room = aliceSubscribes.find((payload) => payload.room.startsWith('p-'));
    expect(room?.key).toBe(invite.slice(invite.indexOf('.') + 1));

    // Back on the page, Alice is in the private room again, with all three notes stored.
    await alicePage.goBack();
    await cardWith(alicePage, 'Private, written offline').waitFor();
    await cardWith(alicePage, 'Private: the headland is Bob’s').waitFor();
    expect(await pendingItems(alicePage).count()).toBe(0);
    expect(await roomIn(users.alice, alicePage)).toBe('Private room');
    expect(await cards(bobPage).count()).toBe(3);
  });
});
