/**
 * A conflicting edit is shown, not lost. Only a note's author may edit it, so
 * the conflict is Alice's own: the page is open in two of her tabs, the server is down,
 * she edits the note in tab 1 and then in tab 2, whose card still holds the old
 * version. When the server is back the first edit lands and the second is refused as
 * stale; tab 2 shows both texts, "Keep mine" saves its text, and Bob ends with it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserUser } from './support/browser-user.js';
import type { CollabServer } from './support/collab-server.js';
import { addNote, cardWith, pendingItems } from './support/notes-ui.js';
import type { StaticServer } from './support/static-server.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';
import { overlay } from './support/overlay-probe.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;
let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let tab1: Page;
let tab2: Page;
let bobPage: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle();
  ({ server, pages, alice, alicePage: tab1, bobPage } = users);
  // Sharing is on for the site, so a second tab of the page joins by itself.
  tab2 = await alice.context.newPage();
  await tab2.goto(`${pages.url}/article.html`);
  await overlay(tab2).locator('[data-collab-notes-toggle]').waitFor();
});

afterAll(async () => {
  await users?.close();
});

/** Opens the note's editor in `page`, replaces the text and saves. */
async function edit(page: Page, id: string, text: string): Promise<void> {
  const card = overlay(page).locator(`article.card[data-note-id="${id}"]`);
  await card.locator('[data-collab-note-edit]').first().click();
  await card.locator('[data-collab-inline-input]').fill(text);
  await card.locator('[data-collab-inline-save]').click();
}

describe('a stale edit', () => {
  it('shows both versions to the author, and "Keep mine" reaches the other user', async () => {
    await tab1.bringToFront();
    await addNote(tab1, '#p1', 'ledger', 'The ledger was started in 1871.');
    const atBob = cardWith(bobPage, 'The ledger was started');
    await atBob.waitFor();
    const id = (await atBob.getAttribute('data-note-id'))!;
    await cardWith(tab2, 'The ledger was started').waitFor();

    await server.stop();
    await edit(tab1, id, 'The ledger was started in 1872.');
    await tab2.bringToFront();
    const card2 = overlay(tab2).locator(`article.card[data-note-id="${id}"]`);
    // Tab 2 shows tab 1's edit as waiting, but its note is still version 1 from the server.
    await pendingItems(tab2)
      .or(card2.filter({ hasText: 'waiting for the server' }))
      .first()
      .waitFor();
    await edit(tab2, id, 'The ledger was started by his father in 1869.');

    await server.restart();
    const conflict = card2.locator('[data-collab-conflict]');
    await conflict.waitFor();
    expect(await conflict.locator('.theirs').textContent()).toBe('The ledger was started in 1872.');
    expect(await conflict.locator('.mine').textContent()).toBe(
      'The ledger was started by his father in 1869.',
    );
    // Until Alice chooses, the stored text is tab 1's; nothing of tab 2's reached Bob.
    await atBob.locator('[data-collab-note-body]').filter({ hasText: '1872' }).waitFor();
    await card2.scrollIntoViewIfNeeded();
    await tab2.screenshot({ path: `${SCREENSHOTS}/note-conflict.png` });

    await conflict.locator('[data-collab-conflict-mine]').click();
    await conflict.waitFor({ state: 'detached' });
    await atBob
      .locator('[data-collab-note-body]')
      .filter({ hasText: 'The ledger was started by his father in 1869.' })
      .waitFor();
    await card2.locator('[data-collab-note-body]').filter({ hasText: 'by his father in 1869' }).waitFor();
    // Tab 1 got the same resolution and no stale choice is left there.
    const card1 = overlay(tab1).locator(`article.card[data-note-id="${id}"]`);
    await card1.locator('[data-collab-note-body]').filter({ hasText: 'by his father in 1869' }).waitFor();
    expect(await card1.locator('[data-collab-conflict]').count()).toBe(0);

    await bobPage.reload();
    const fresh = cardWith(bobPage, 'The ledger was started');
    await fresh.waitFor();
    expect(await fresh.locator('[data-collab-note-body]').first().textContent()).toBe(
      'The ledger was started by his father in 1869.',
    );
  });
});
