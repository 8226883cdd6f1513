/**
 * Behind a proxy that refuses WebSocket (issue 15), in real Chromium with the built extension:
 * Alice reaches the server through a node:http proxy that answers every upgrade 403, Bob
 * directly. Alice's worker falls back to long-polling over fetch; both see each other's
 * cursors and notes; her popup says so. When the proxy starts allowing upgrades, her
 * connection moves to WebSocket in place, in the same room, with every note.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPGRADE_PROBE_DELAYS_MS } from '../../extension/background/transport-upgrade.js';
import { startUpgradeProxy, type UpgradeProxy } from '../support/upgrade-proxy.js';
import type { BrowserUser } from './support/browser-user.js';
import { addNote, cards, cardWith } from './support/notes-ui.js';
import { cursorOf } from './support/overlay-probe.js';
import { centre, wordBox } from './support/page-text.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;
let proxy: UpgradeProxy;
let alice: BrowserUser;
let alicePage: Page;
let bobPage: Page;
let joinedAt = 0;

beforeAll(async () => {
  users = await twoUsersOnArticle({
    aliceServerUrl: async (serverUrl) => {
      proxy = await startUpgradeProxy(serverUrl);
      return proxy.url;
    },
  });
  joinedAt = Date.now();
  ({ alice, alicePage, bobPage } = users);
});

afterAll(async () => {
  await users?.close();
  await proxy?.close();
});

/** Transports of the server's /rooms sockets, by user name. */
async function transports(): Promise<Record<string, string>> {
  const nsp = users.server.app()!.io.of('/rooms');
  return Object.fromEntries(
    [...nsp.sockets.values()].map((socket) => [String(socket.data.name), socket.conn.transport.name]),
  );
}

/** Alice's cursor as Bob's page draws it, px from `point` on Bob's page. */
async function distanceOnBob(point: { x: number; y: number }): Promise<number> {
  const box = await cursorOf(bobPage, 'Alice').boundingBox();
  return box ? Math.hypot(box.x - point.x, box.y - point.y) : Infinity;
}

async function cursorReachesBob(selector: string, word: string): Promise<void> {
  const at = centre(await wordBox(alicePage, selector, word));
  let nudge = 0;
  await expect
    .poll(async () => {
      nudge = 1 - nudge;
      await alicePage.mouse.move(at.x + nudge, at.y, { steps: 2 });
      return distanceOnBob(centre(await wordBox(bobPage, selector, word)));
    })
    .toBeLessThan(12);
}

describe('behind a proxy that refuses WebSocket', () => {
  it('falls back to long-polling: cursors and notes both ways, and the popup says so', async () => {
    expect(proxy.counts.refused).toBeGreaterThanOrEqual(1);
    expect(await transports()).toEqual({ Alice: 'polling', Bob: 'websocket' });

    await cursorReachesBob('#p1', 'ledger');
    const bobAt = centre(await wordBox(bobPage, '#p2', 'headland'));
    await bobPage.mouse.move(bobAt.x, bobAt.y, { steps: 3 });
    await cursorOf(alicePage, 'Bob').waitFor();

    await alicePage.bringToFront();
    await addNote(alicePage, '#p2', 'headland', 'Written over long-polling');
    await cardWith(bobPage, 'Written over long-polling').waitFor();
    await addNote(bobPage, '#p1', 'ledger', 'Bob over WebSocket');
    await cardWith(alicePage, 'Bob over WebSocket').waitFor();

    const popup = await alice.openPopup(alicePage);
    await expect.poll(() => popup.locator('#status').textContent()).toBe('Connected (HTTP polling)');
    expect(await popup.locator('#connection').getAttribute('data-transport')).toBe('polling');
    expect(await popup.locator('#connection').textContent()).toContain('fallback: HTTP polling');
    await popup.screenshot({ path: `${SCREENSHOTS}/popup-polling.png` });
    await popup.close();
    expect(await transports()).toEqual({ Alice: 'polling', Bob: 'websocket' });
  });

  it('moves to WebSocket once the proxy allows it: same room, same connection, every note', async () => {
    const before = await cards(bobPage).count();
    proxy.allowUpgrades(true);
    const allowedAt = Date.now();
    // The worker probes again 5, 10, 20 s after the fallback, then every 30 s.
    const bound = Math.max(...UPGRADE_PROBE_DELAYS_MS) + 5_000;
    await expect
      .poll(async () => (await transports()).Alice, { timeout: bound, interval: 100 })
      .toBe('websocket');
    console.warn(
      `upgraded to WebSocket ${Date.now() - allowedAt} ms after the proxy allowed it ` +
        `(${Date.now() - joinedAt} ms after Alice joined over polling)`,
    );
    // In place: one upgrade through the proxy, no new connection, Alice still once in the room.
    expect(proxy.counts.upgraded).toBe(1);
    expect(await transports()).toEqual({ Alice: 'websocket', Bob: 'websocket' });

    await cursorReachesBob('#p3', 'almanac');
    await addNote(alicePage, '#p3', 'almanac', 'Written over WebSocket');
    await cardWith(bobPage, 'Written over WebSocket').waitFor();
    expect(await cards(bobPage).count()).toBe(before + 1);
    expect(await cards(alicePage).count()).toBe(before + 1);

    const popup = await alice.openPopup(alicePage);
    await expect.poll(() => popup.locator('#connection').getAttribute('data-transport')).toBe('websocket');
    expect(await popup.locator('#status').textContent()).toBe('Connected');
    expect(await popup.locator('#peers li').filter({ hasText: 'Bob' }).count()).toBe(1);
    await popup.close();
  });
});
