/**
 * Long-polling from a service worker without host permissions is a CORS request (issue 15):
 * with the extension's permission to the server gone (least privilege: no `<all_urls>`, no
 * static content scripts, which Chrome also counts as host access), the worker's `fetch()`
 * of an Engine.IO polling request reads the answer only because the server names its origin
 * in `Access-Control-Allow-Origin`; a web page's script, refused by the origin check, reads
 * nothing. Real Chromium, the built extension with those manifest entries taken out.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIST, launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

let server: CollabServer;
let pages: StaticServer;
let user: BrowserUser;
let extensionDir: string;

beforeAll(async () => {
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  extensionDir = mkdtempSync(join(tmpdir(), 'collab-e2e-no-hosts-'));
  cpSync(DIST, extensionDir, { recursive: true });
  const manifestPath = join(extensionDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  delete manifest.host_permissions;
  delete manifest.content_scripts;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  user = await launchUser('no-hosts', undefined, { extensionDir });
});

afterAll(async () => {
  await user?.close();
  await pages?.close();
  await server?.dispose();
  if (extensionDir) rmSync(extensionDir, { recursive: true, force: true });
});

/** What a polling handshake by fetch() reads from where it runs: the Engine.IO open packet, or the error. */
const pollFrom = (url: string) =>
  fetch(`${url}/socket.io/?EIO=4&transport=polling`, { credentials: 'omit' }).then(
    async (res) => `${res.status} ${(await res.text()).slice(0, 1)}`,
    (error: unknown) => `failed: ${String(error)}`,
  );

it("answers the worker's polling fetch with CORS for its origin only, and a page reads nothing", async () => {
  const worker = await user.worker();
  // The worker: a CORS request from chrome-extension://<id>, admitted: 200 and the open packet "0".
  expect(await worker.evaluate(pollFrom, server.url)).toBe('200 0');
  // And its POST, as engine.io-client's Fetch transport sends it (text/plain: no preflight).
  const posted = await worker.evaluate(async (url) => {
    const open = await (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      body: '1',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    return `${res.status} ${await res.text()}`;
  }, server.url);
  expect(posted).toBe('200 ok');

  // A page's script: refused by the origin check, and CORS keeps even the refusal from it.
  const page = await user.context.newPage();
  await page.goto(`${pages.url}/article.html`);
  expect(await page.evaluate(pollFrom, server.url)).toMatch(/^failed: TypeError/);
  await page.close();
});
