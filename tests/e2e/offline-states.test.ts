/**
 * What Alice is told while the server cannot be reached: the page's sharing pill says she
 * is offline and reconnecting (never "nobody else here", which would be a lie), and the
 * popup says in words what is wrong and what to do instead of a transport's
 * `websocket error`. Both go back to normal once the server is up again.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, pendingItems } from './support/notes-ui.js';
import { overlay } from './support/overlay-probe.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;

const pill = () => overlay(users.alicePage).locator('[data-collab-indicator]');

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle();
});

afterAll(async () => {
  await users?.close();
});

describe('while the server cannot be reached', () => {
  it('the pill says Alice is offline, not that the room is empty, and notes wait', async () => {
    await pill().filter({ hasText: '1 other here' }).waitFor();
    await users.server.stop();
    await pill().filter({ hasText: 'Offline · reconnecting…' }).waitFor({ timeout: 15_000 });
    expect(await pill().textContent()).not.toContain('nobody else here');
    await addNote(users.alicePage, '#p2', 'headland', 'Written while offline');
    await pendingItems(users.alicePage).filter({ hasText: 'Written while offline' }).waitFor();
    await users.alicePage.screenshot({ path: `${SCREENSHOTS}/pill-offline.png` });
  });

  it('the popup says what is wrong and what to do, in words', async () => {
    const popup = await users.alice.openPopup(users.alicePage);
    await popup.locator('#status').filter({ hasText: 'Offline' }).waitFor();
    const connection = popup.locator('#connection');
    const host = new URL(users.server.url).host;
    await connection.filter({ hasText: `Cannot reach the server at ${host}` }).waitFor();
    expect(await connection.textContent()).toContain('Check that it is running');
    expect(await popup.locator('body').innerText()).not.toMatch(/websocket error/i);
    expect(await popup.locator('#error').isHidden()).toBe(true);
    await popup.screenshot({ path: `${SCREENSHOTS}/popup-offline.png`, fullPage: true });

    await users.server.restart();
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor({ timeout: 20_000 });
    expect(await connection.textContent()).toBe('Connected to the server.');
    await popup.close();
    await pill().filter({ hasText: 'Sharing · public room · 1 other here' }).waitFor();
    await pendingItems(users.alicePage).first().waitFor({ state: 'detached' });
  });
});
