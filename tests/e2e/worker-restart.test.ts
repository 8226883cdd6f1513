/**
 * A service worker that can be stopped at any moment: Chrome ends extension
 * workers whenever it likes. With two users sharing a page, Alice's worker is
 * terminated over CDP; her next mouse move must reach Bob within a second, in the same
 * room, with Alice listed once. Run twice: Alice on WebSocket, and Alice behind a proxy that
 * refuses WebSocket, on long-polling (issue 15), where the new worker falls back again.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { centre, wordBox } from './support/page-text.js';
import { shareWithPopup, terminateWorker } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { cursorOf } from './support/overlay-probe.js';
import { startUpgradeProxy, type UpgradeProxy } from '../support/upgrade-proxy.js';

describe.each(['websocket', 'polling'] as const)('service worker restart, Alice on %s', (transport) => {
  let server: CollabServer;
  let proxy: UpgradeProxy | null = null;
  let pages: StaticServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let alicePage: Page;
  let bobPage: Page;

  beforeAll(async () => {
    server = await startCollabServer();
    if (transport === 'polling') proxy = await startUpgradeProxy(server.url);
    pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
    [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
    alicePage = await alice.context.newPage();
    bobPage = await bob.context.newPage();
    await Promise.all([
      alicePage.goto(`${pages.url}/article.html`),
      bobPage.goto(`${pages.url}/article.html`),
    ]);
    await (await shareWithPopup(alice, alicePage, proxy?.url ?? server.url, 'Alice')).close();
    await (await shareWithPopup(bob, bobPage, server.url, 'Bob')).close();
    await alicePage.bringToFront();
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await pages?.close();
    await proxy?.close();
    await server?.dispose();
  });

  /** Distance from Bob's drawing of Alice's cursor to a point of Bob's viewport. */
  async function distanceOnBob(point: { x: number; y: number }): Promise<number> {
    const box = await cursorOf(bobPage, 'Alice').boundingBox();
    return box ? Math.hypot(box.x - point.x, box.y - point.y) : Infinity;
  }

  /** The transport of Alice's /rooms socket on the server. */
  const aliceTransport = () =>
    [...server.app()!.io.of('/rooms').sockets.values()].find((socket) => socket.data.name === 'Alice')?.conn
      .transport.name;

  it("brings Alice's cursor back to Bob within 1 s of her worker being stopped, without a second Alice", async () => {
    expect(aliceTransport()).toBe(transport);
    const first = centre(await wordBox(alicePage, '#p1', 'ledger'));
    await alicePage.mouse.move(first.x, first.y, { steps: 4 });
    await expect.poll(() => distanceOnBob(first)).toBeLessThan(12);

    // A mark on the running worker instance: a new instance will not have it.
    await (await alice.worker()).evaluate(() => Object.assign(globalThis, { oldInstance: true }));
    await terminateWorker(alice, alicePage);
    const started = Date.now();
    const second = centre(await wordBox(alicePage, '#p2', 'headland'));
    await alicePage.mouse.move(second.x, second.y, { steps: 4 });
    await expect.poll(() => distanceOnBob(second), { timeout: 5_000, interval: 20 }).toBeLessThan(12);
    const recoveryMs = Date.now() - started;
    console.warn(`cursor recovery after worker termination (Alice on ${transport}): ${recoveryMs} ms`);
    expect(recoveryMs).toBeLessThan(1_000);

    // Same room, Alice once: in Bob's overlay, Bob's popup, and on the server.
    expect(await cursorOf(bobPage, 'Alice').count()).toBe(1);
    const popup = await bob.openPopup(bobPage);
    await popup.locator('#peers li').filter({ hasText: 'Alice' }).waitFor();
    expect(await popup.locator('#peers li').filter({ hasText: 'Alice' }).count()).toBe(1);
    expect(await popup.locator('#room .channel').textContent()).toBe('public');
    await popup.close();
    const sockets = await server.app()!.io.of('/rooms').in(`public|${pages.url}/article.html`).fetchSockets();
    expect(new Set(sockets.map((socket) => socket.data.name)).size).toBe(2);

    // The new worker is on the same transport (behind the proxy: fell back again).
    expect(aliceTransport()).toBe(transport);
    // It really was a new worker that did all this.
    const worker = await alice.worker();
    expect(await worker.evaluate(() => 'oldInstance' in globalThis)).toBe(false);
  });
});
