/**
 * Two Chromium users whose extensions reach the server through nginx (the shipped
 * deploy/nginx.conf) on different nodes of a two-node cluster (Redis, PostgreSQL, each node
 * a real process): Alice's cursor and Alice's note reach Bob across the nodes. Alice is
 * behind a proxy that refuses WebSocket (issue 15), in front of the cluster's balancer: her
 * extension runs on long-polling, which nginx keeps on one node; Bob reaches the other node
 * through an nginx with that node alone upstream.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { healthOf, startClusterRig, type ClusterRig } from '../support/cluster-rig.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { startCluster, type PgCluster } from '../support/postgres.js';
import { startUpgradeProxy, type UpgradeProxy } from '../support/upgrade-proxy.js';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { joinWithPopup } from './support/notes-ui.js';
import { cursorOf, overlay } from './support/overlay-probe.js';
import { centre, wordBox } from './support/page-text.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

let pgCluster: PgCluster;
let rig: ClusterRig;
/** One nginx per node, each with the shipped config and that node alone upstream. */
let pinned: Nginx[] = [];
let proxy: UpgradeProxy;
/** The node Alice's polling session is on, and the other (Bob's). */
let aliceNode = 0;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

beforeAll(async () => {
  pgCluster = await startCluster();
  rig = await startClusterRig({ pgUrl: pgCluster.url });
  pinned = await Promise.all(rig.nodes.map((node) => startNginx({ upstreams: [node.port] })));
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
  proxy = await startUpgradeProxy(rig.nginx.url);
  await joinWithPopup(alice, alicePage, proxy.url, 'Alice');
  // Her node: the one holding a connection (nobody else is connected yet).
  const counts = await Promise.all(rig.nodes.map((node) => connectionsOn(node.url)));
  aliceNode = counts.findIndex((count) => count > 0);
  await joinWithPopup(bob, bobPage, pinned[1 - aliceNode]!.url, 'Bob');
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await proxy?.close();
  await Promise.all(pinned.map((nginx) => nginx.stop()));
  await rig?.dispose();
  pgCluster?.destroy();
});

/** Open Engine.IO connections on a node, from its own /metrics. */
async function connectionsOn(url: string): Promise<number> {
  const text = await (await fetch(url + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('copresence_connections'));
  return Number(line?.split(' ').pop() ?? 0);
}

it("shows Alice's cursor and note to Bob when their extensions are on different nodes", async () => {
  // Each pinned nginx reaches its own node only.
  expect((await healthOf(pinned[0]!.url)).body).toMatchObject({ node: 'node-a' });
  expect((await healthOf(pinned[1]!.url)).body).toMatchObject({ node: 'node-b' });
  // One on each node; Alice on long-polling through the balancer.
  expect(await Promise.all(rig.nodes.map((node) => connectionsOn(node.url)))).toEqual([1, 1]);
  expect(proxy.counts.refused).toBeGreaterThanOrEqual(1);
  expect(proxy.counts.upgraded).toBe(0);

  const target = centre(await wordBox(alicePage, '#p1', 'ledger'));
  await alicePage.mouse.move(target.x - 120, target.y - 60);
  await alicePage.mouse.move(target.x, target.y, { steps: 12 });
  const cursor = cursorOf(bobPage, 'Alice');
  await cursor.waitFor({ state: 'visible' });
  const expected = centre(await wordBox(bobPage, '#p1', 'ledger'));
  await expect
    .poll(async () => {
      const box = await cursor.boundingBox();
      return box ? Math.hypot(box.x - expected.x, box.y - expected.y) : Infinity;
    })
    .toBeLessThan(12);

  const word = centre(await wordBox(alicePage, '#p2', 'headland'));
  await alicePage.mouse.dblclick(word.x, word.y);
  await overlay(alicePage).locator('[data-collab-add-note]').click();
  await overlay(alicePage).locator('[data-collab-note-input]').fill('Seen from the other node?');
  await overlay(alicePage).locator('[data-collab-note-save]').click();
  const aliceCard = overlay(alicePage).locator('[data-note-id]').filter({ hasText: 'Seen from the other' });
  await aliceCard.waitFor();
  const noteId = await aliceCard.getAttribute('data-note-id');
  const bobCard = overlay(bobPage).locator(`[data-note-id="${noteId}"]`);
  await bobCard.waitFor();
  await expect.poll(() => bobCard.textContent()).toContain('Seen from the other node?');
  // Every poll reached her node: still one connection there, none made anew.
  expect(await connectionsOn(rig.nodes[aliceNode]!.url)).toBe(1);
  expect(proxy.counts.http).toBeGreaterThan(10);
});
