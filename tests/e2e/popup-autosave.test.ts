/**
 * The popup saves the name and the server URL as they are typed. The toolbar popup closes
 * the moment the user clicks elsewhere, before any Enter or blur: here the popup is closed
 * right after typing, and what was typed is in force all the same. A URL that is not one
 * is never saved; the field says why.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlay } from './support/overlay-probe.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle();
});

afterAll(async () => {
  await users?.close();
});

describe('popup fields that save as you type', () => {
  it('keeps a name typed into a popup that closed at once, and Bob sees it', async () => {
    const popup = await users.alice.openPopup(users.alicePage);
    await popup.locator('#name').waitFor();
    await expect.poll(() => popup.locator('#name').inputValue()).toBe('Alice');
    // Typed, then the popup goes away: no Enter, no blur, no pause.
    await popup.locator('#name').press('End');
    await popup.locator('#name').pressSequentially(' Liddell', { delay: 10 });
    await popup.close();

    const bobPopup = await users.bob.openPopup(users.bobPage);
    await bobPopup.locator('#peers li').filter({ hasText: 'Alice Liddell' }).waitFor();
    await bobPopup.close();
    await overlay(users.alicePage)
      .locator('[data-collab-indicator]')
      .filter({ hasText: 'Sharing' })
      .waitFor();
    const again = await users.alice.openPopup(users.alicePage);
    await expect.poll(() => again.locator('#name').inputValue()).toBe('Alice Liddell');
    await again.close();
  });

  it('saves a server URL the same way, and never one that is not a URL', async () => {
    const popup = await users.alice.openPopup(users.alicePage);
    const url = popup.locator('#server-url');
    await expect.poll(() => url.inputValue()).toBe(users.server.url);

    // Not a URL: said under the field once typing pauses, and not saved.
    await url.fill('127.0.0.1 port 8080');
    await popup.locator('#server-hint').filter({ hasText: 'such as http://127.0.0.1:8080' }).waitFor();
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    // The name field says it saved.
    await popup.locator('#name').fill('Alice L.');
    await popup.locator('#name-hint').filter({ hasText: 'Saved' }).waitFor();
    await popup.screenshot({ path: `${SCREENSHOTS}/popup-autosave.png`, fullPage: true });
    await popup.close();
    const kept = await users.alice.openPopup(users.alicePage);
    await expect.poll(() => kept.locator('#server-url').inputValue()).toBe(users.server.url);

    // The same server by another name, typed and the popup closed at once: in force.
    const other = users.server.url.replace('127.0.0.1', 'localhost');
    await kept.locator('#server-url').fill(other);
    await kept.close();
    const after = await users.alice.openPopup(users.alicePage);
    await expect.poll(() => after.locator('#server-url').inputValue()).toBe(other);
    await after
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    await after.locator('#peers li').filter({ hasText: 'Bob' }).waitFor();
    await after.close();
  });
});
