/**
 * Cursors that land on the same word, measured on real pages
 * (tests/fixtures/real-pages): Alice, in a 1280 px wide window, points at a word;
 * Bob, in an 800 px wide window where the text has reflowed, must see her cursor on
 * that word. The distance from Bob's drawing of the cursor tip to the word's box is
 * printed per page and bounded; README.md states the figure.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { pickTargets, scrollWordTo } from './support/page-words.js';
import { shareWithPopup } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { cursorOf } from './support/overlay-probe.js';

const PAGES = ['wikipedia', 'lwn-1', 'v8-blog', 'mercurial', 'ars-1', 'bbc-1'];

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

/** Distance from a point to a box (0 inside it). */
function distanceToBox(
  point: { x: number; y: number },
  box: { x: number; y: number; width: number; height: number },
) {
  const dx = Math.max(box.x - point.x, 0, point.x - (box.x + box.width));
  const dy = Math.max(box.y - point.y, 0, point.y - (box.y + box.height));
  return Math.hypot(dx, dy);
}

beforeAll(async () => {
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, '../fixtures/real-pages'));
  [alice, bob] = await Promise.all([
    launchUser('alice-wide', { width: 1280, height: 800 }),
    launchUser('bob-narrow', { width: 800, height: 800 }),
  ]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  const first = `${pages.url}/${PAGES[0]}/source.html`;
  await Promise.all([alicePage.goto(first), bobPage.goto(first)]);
  await (await shareWithPopup(alice, alicePage, server.url, 'Alice')).close();
  await (await shareWithPopup(bob, bobPage, server.url, 'Bob')).close();
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('cursor landing, 1280 px -> 800 px, real pages', () => {
  it('puts the cursor on the word Alice points at in Bob’s narrower window', async () => {
    const distances: Array<{ page: string; word: string; px: number }> = [];
    for (const name of PAGES) {
      const url = `${pages.url}/${name}/source.html`;
      if (alicePage.url() !== url) await Promise.all([alicePage.goto(url), bobPage.goto(url)]);
      await alicePage.bringToFront();
      for (const target of await pickTargets(alicePage, [0.2, 0.5, 0.8], 8)) {
        const onAlice = await scrollWordTo(alicePage, target, 'middle');
        const onBob = await scrollWordTo(bobPage, target, 'middle');
        const point = { x: onAlice.x + onAlice.width / 2, y: onAlice.y + onAlice.height / 2 };
        await alicePage.mouse.move(point.x - 40, point.y - 30);
        await alicePage.mouse.move(point.x, point.y, { steps: 3 });
        const cursor = cursorOf(bobPage, 'Alice');
        // Settled: Bob draws the cursor within a line of the word (or the poll fails).
        let px = Infinity;
        await expect
          .poll(
            async () => {
              const box = await cursor.boundingBox();
              px = box ? distanceToBox(box, onBob) : Infinity;
              return px;
            },
            { timeout: 3_000, interval: 30 },
          )
          .toBeLessThan(24);
        distances.push({ page: name, word: target.word, px: Math.round(px * 10) / 10 });
      }
    }
    console.warn(distances.map((d) => `${d.page} ${d.word}: ${d.px} px`).join('\n'));
    const sorted = distances.map((d) => d.px).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.warn(
      `cursor landing 1280->800: median ${median} px, max ${sorted.at(-1)} px over ${sorted.length} words`,
    );
    expect(median).toBeLessThan(4);
  });
});
