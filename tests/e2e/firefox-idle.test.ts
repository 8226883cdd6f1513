/**
 * Firefox suspends an idle MV3 background (an event page) after
 * `extensions.background.idle.timeout` (30 s by default) even while its WebSocket is open,
 * which closed an idle user's connection and took them out of the room. The keep-alive
 * (protocol KEEPALIVE_MS, 10 s) also keeps the background awake. Here the timeout is 12 s,
 * just above the keep-alive period, and the user stays idle for two timeouts: the server
 * must see no second connection. Without the keep-awake call it sees one or more.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KEEPALIVE_MS } from '../../protocol/index.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { launchFirefoxUser, shareWithFirefoxPopup, type FirefoxUser } from './support/firefox-user.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const IDLE_TIMEOUT_MS = KEEPALIVE_MS + 2_000;

let server: CollabServer;
let pages: StaticServer;
let fox: FirefoxUser;

beforeAll(async () => {
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  fox = await launchFirefoxUser({ 'extensions.background.idle.timeout': IDLE_TIMEOUT_MS });
});

afterAll(async () => {
  await fox?.close();
  await pages?.close();
  await server?.dispose();
});

it('keeps an idle Firefox user connected past two background idle timeouts', async () => {
  const page = await fox.browser.newPage();
  await page.goto(`${pages.url}/article.html`);
  let connections = 0;
  server.app()!.io.engine.on('connection', () => connections++);
  await shareWithFirefoxPopup(fox, page, server.url, 'Fox');
  expect(connections).toBe(1);

  // Nothing to await: what is checked is that no event (a reconnection) happens in this window.
  await new Promise((resolve) => setTimeout(resolve, 2 * IDLE_TIMEOUT_MS + 1_000));
  expect(connections).toBe(1);
}, 60_000);
