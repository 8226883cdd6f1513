/**
 * Privacy: nothing from a site reaches the server until the user turned
 * sharing on for it. Watched on the real server: engine handshakes and every event
 * any client sends on /rooms and /notes, with their payloads.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { overlay } from './support/overlay-probe.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let carol: BrowserUser;
/** Engine handshakes the server accepted. */
let handshakes = 0;
/** Every event clients sent, with its payload, as JSON. */
const received: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  const io = server.app()!.io;
  io.engine.on('connection', () => (handshakes += 1));
  for (const name of ['/rooms', '/notes']) {
    io.of(name).on('connection', (socket) => {
      received.push(JSON.stringify({ event: 'connect', namespace: name }));
      socket.onAny((event: string, payload: unknown) => received.push(JSON.stringify({ event, payload })));
    });
  }
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  carol = await launchUser('carol');
});

afterAll(async () => {
  await carol?.close();
  await pages?.close();
  await server?.dispose();
});

async function visitAndWiggle(url: string): Promise<Page> {
  const page = await carol.context.newPage();
  await page.goto(url);
  await page.mouse.move(100, 100);
  await page.mouse.move(300, 200, { steps: 5 });
  return page;
}

describe('privacy', () => {
  it('sends no join and no URL for a site until sharing is turned on for it', async () => {
    const page = await visitAndWiggle(`${pages.url}/article.html`);
    const popup = await carol.openPopup(page);
    await popup.locator('#server-url').fill(server.url);
    await popup.locator('#server-url').press('Enter');
    // The worker has seen the page (its hello) and decided: off.
    await popup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    await page.mouse.move(400, 300, { steps: 5 });
    await popup.reload();
    await popup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    expect(handshakes).toBe(0);
    expect(received).toEqual([]);
    // No overlay indicator either: the page shows nothing of ours.
    expect(await overlay(page).locator('[data-collab-indicator]').isVisible()).toBe(false);

    // The control: sharing on makes the same watch see the join with the page's URL.
    await popup.locator('#sharing-toggle').check();
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    expect(handshakes).toBeGreaterThan(0);
    expect(received.some((line) => line.includes('room:join') && line.includes(pages.url))).toBe(true);
    await page.bringToFront();
    const indicator = overlay(page).locator('[data-collab-indicator]');
    await indicator.waitFor({ state: 'visible' });
    expect(await indicator.textContent()).toContain('Sharing');
    await page.screenshot({ path: `${SCREENSHOTS}/overlay-indicator.png` });
    await popup.close();

    // Another site (127.0.0.1 instead of localhost) stays off: its URL never goes out,
    // even while this browser is connected for the first site.
    const otherUrl = `${pages.url.replace('localhost', '127.0.0.1')}/article.html`;
    const other = await visitAndWiggle(otherUrl);
    const otherPopup = await carol.openPopup(other);
    await otherPopup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    await other.mouse.move(50, 50, { steps: 3 });
    await otherPopup.reload();
    await otherPopup.locator('#status').filter({ hasText: 'Off for this site' }).waitFor();
    const host = new URL(otherUrl).host;
    expect(received.filter((line) => line.includes(host))).toEqual([]);
    expect(await overlay(other).locator('[data-collab-indicator]').isVisible()).toBe(false);
    await otherPopup.close();
  });
});
