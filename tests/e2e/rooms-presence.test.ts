/**
 * Popup room switcher and presence without ghosts, two real Chromium users
 * and a plain Socket.IO client (Dana) on the real server: head counts, idle dimming,
 * named and private rooms, off-viewport edge markers, pause and closing a tab.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRooms, makeAuth, type RoomsClient } from '../support/clients.js';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { centre, wordBox } from './support/page-text.js';
import { shareWithPopup } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { cursorOf } from './support/overlay-probe.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;
let alicePopup: Page;
let bobPopup: Page;
let dana: RoomsClient;

const peerRow = (popup: Page, name: string) => popup.locator('#peers li').filter({ hasText: name });
const roomRow = (popup: Page, channel: string) => popup.locator(`#rooms li[data-channel="${channel}"]`);

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
  alicePopup = await shareWithPopup(alice, alicePage, server.url, 'Alice');
  bobPopup = await shareWithPopup(bob, bobPage, server.url, 'Bob');
});

afterAll(async () => {
  dana?.close();
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('popup and presence', () => {
  it('lists who is here with idle state, the page’s rooms with head counts, and badges the others', async () => {
    await peerRow(bobPopup, 'Alice').waitFor();
    await roomRow(bobPopup, 'public').filter({ hasText: '2 here' }).waitFor();
    const tabId = Number(new URL(bobPopup.url()).searchParams.get('tab'));
    const badge = () =>
      bob.worker().then((w) => w.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId));
    await expect.poll(badge).toBe('1');

    // Dana (a plain client) joins, points somewhere, then goes idle: Bob sees her dimmed.
    dana = await connectRooms(server.url, makeAuth({ name: 'Dana', color: '#6e56cf' }));
    const joined = (await dana.emitWithAck('room:join', { page: `${pages.url}/article.html` })) as {
      ok: boolean;
      value: { room: string };
    };
    const room = joined.value.room;
    dana.emit('cursor:move', { room, cursor: { x: 0.5, y: 0.2 } });
    await cursorOf(bobPage, 'Dana').waitFor();
    expect(await cursorOf(bobPage, 'Dana').getAttribute('data-idle')).toBe('false');
    await dana.emitWithAck('presence:update', { room, idle: true });
    await expect.poll(() => cursorOf(bobPage, 'Dana').getAttribute('data-idle')).toBe('true');
    await peerRow(bobPopup, 'Dana').filter({ hasText: 'idle' }).waitFor();
    expect(await peerRow(bobPopup, 'Alice').textContent()).toContain('active');
    await expect.poll(badge).toBe('2');
    await bobPopup.screenshot({ path: `${SCREENSHOTS}/popup-presence.png` });
    dana.close();
    await expect.poll(() => peerRow(bobPopup, 'Dana').count()).toBe(0);
  });

  it('moves a tab to a named room (leaving the old one) and private rooms by invite code only', async () => {
    await alicePopup.locator('#room-name').fill('Design review');
    await alicePopup.locator('#room-go').click();
    await alicePopup.locator('#room .channel').filter({ hasText: 'design-review' }).waitFor();
    // Bob: Alice left the public room, and the named room is offered with its head count.
    await expect.poll(() => peerRow(bobPopup, 'Alice').count()).toBe(0);
    await roomRow(bobPopup, 'design-review').filter({ hasText: '1 here' }).waitFor();

    await alicePopup.locator('#private-create').click();
    const code = alicePopup.locator('#invite-code');
    await alicePopup.locator('#invite').waitFor();
    const invite = await code.inputValue();
    expect(invite).toMatch(/^p-[a-z2-7]{12}\./);
    await alicePopup.screenshot({ path: `${SCREENSHOTS}/popup-private-room.png` });
    // Private rooms are never listed; the named room emptied.
    await expect.poll(() => roomRow(bobPopup, 'design-review').count()).toBe(0);
    expect(await bobPopup.locator('#rooms li[data-channel^="p-"]').count()).toBe(0);

    const wrong = invite.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    await bobPopup.locator('#invite-input').fill(wrong);
    await bobPopup.locator('#invite-join').click();
    await bobPopup.locator('#error').filter({ hasText: 'does not open a room' }).waitFor();
    await bobPopup.locator('#invite-input').fill(invite);
    await bobPopup.locator('#invite-join').click();
    await bobPopup.locator('#room .channel').filter({ hasText: 'Private room' }).waitFor();
    await peerRow(bobPopup, 'Alice').waitFor();
    await peerRow(alicePopup, 'Bob').waitFor();
  });

  it('shows an off-viewport cursor as an edge marker with the name, pointing where it is', async () => {
    await bobPage.setViewportSize({ width: 1280, height: 140 });
    await bobPage.evaluate(() => window.scrollTo(0, 0));
    await alicePage.bringToFront();
    const target = centre(await wordBox(alicePage, '#p3', 'almanac'));
    await alicePage.mouse.move(target.x, target.y, { steps: 4 });
    const marker = cursorOf(bobPage, 'Alice');
    await expect.poll(() => marker.getAttribute('data-edge')).toBe('bottom');
    const box = (await marker.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(140);
    await bobPage.screenshot({ path: `${SCREENSHOTS}/edge-marker.png` });
    // Scrolled to it, the marker is the cursor again.
    await bobPage.evaluate(() => document.querySelector('#p3')!.scrollIntoView());
    await expect.poll(() => marker.getAttribute('data-edge')).toBe(null);
    await bobPage.setViewportSize({ width: 1280, height: 800 });
  });

  it('removes a peer who pauses or closes the tab from everyone’s page within seconds', async () => {
    await alicePopup.locator('#pause').click();
    await alicePopup.locator('#status').filter({ hasText: 'Paused' }).waitFor();
    await expect.poll(() => peerRow(bobPopup, 'Alice').count(), { timeout: 3_000 }).toBe(0);
    expect(await cursorOf(bobPage, 'Alice').count()).toBe(0);
    await alicePopup.locator('#pause').click();
    await peerRow(bobPopup, 'Alice').waitFor({ timeout: 3_000 });

    await alicePage.close();
    await expect.poll(() => peerRow(bobPopup, 'Alice').count(), { timeout: 3_000 }).toBe(0);
  });
});

declare const chrome: { action: { getBadgeText(details: { tabId: number }): Promise<string> } };
