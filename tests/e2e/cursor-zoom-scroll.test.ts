/**
 * Zoom and scroll: Alice points at a word on a real page; Bob, whose tab is
 * zoomed to 150 % (chrome.tabs.setZoom from his service worker) or scrolled so the word
 * sits elsewhere in his viewport, must still see her cursor on that word. Distances are
 * measured inside Bob's page, in its CSS pixels, from the cursor's tip to the word's box.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { pickTargets, scrollWordTo, type WordTarget } from './support/page-words.js';
import { shareWithPopup } from './support/sharing.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { cursorOf } from './support/overlay-probe.js';

/** Within this many CSS pixels of the word's box counts as on the word. */
const ON_WORD_PX = 6;

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

/**
 * In Bob's page at one instant: the distance from Alice's cursor tip to the word's box,
 * and where the word is in his viewport.
 */
async function cursorToWord(target: WordTarget): Promise<{ px: number; wordTop: number }> {
  const cursor = cursorOf(bobPage, 'Alice');
  if ((await cursor.count()) === 0) return { px: Infinity, wordTop: NaN };
  return cursor.evaluate((element, { paragraph, offset, word }) => {
    const p = document.querySelectorAll('p')[paragraph]!;
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      if (offset < seen + node.data.length) {
        const range = document.createRange();
        range.setStart(node, offset - seen);
        range.setEnd(node, Math.min(node.data.length, offset - seen + word.length));
        const box = range.getClientRects()[0]!;
        // The arrow's tip is the cursor element's top-left corner.
        const tip = element.getBoundingClientRect();
        const dx = Math.max(box.left - tip.left, 0, tip.left - box.right);
        const dy = Math.max(box.top - tip.top, 0, tip.top - box.bottom);
        return { px: Math.hypot(dx, dy), wordTop: box.top };
      }
      seen += node.data.length;
    }
    throw new Error(`word ${word} not found`);
  }, target);
}

/** Alice scrolls the word to the middle of her viewport and moves her mouse onto it. */
async function alicePointsAt(target: WordTarget): Promise<void> {
  const box = await scrollWordTo(alicePage, target, 400);
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await alicePage.mouse.move(point.x - 40, point.y - 30);
  await alicePage.mouse.move(point.x, point.y, { steps: 3 });
}

/** Waits until Bob sees Alice's cursor on the word; returns the settled distance. */
async function expectOnWord(target: WordTarget): Promise<number> {
  let px = Infinity;
  await expect
    .poll(
      async () => {
        px = (await cursorToWord(target)).px;
        return px;
      },
      { timeout: 3_000, interval: 30 },
    )
    .toBeLessThan(ON_WORD_PX);
  return Math.round(px * 10) / 10;
}

/** Sets the zoom of Bob's tab from his service worker and waits until the page has reflowed. */
async function zoomBob(factor: number): Promise<void> {
  const url = bobPage.url();
  await (
    await bob.worker()
  ).evaluate(
    async ({ url, factor }) => {
      const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
      if (tab?.id === undefined) throw new Error(`no tab shows ${url}`);
      await chrome.tabs.setZoom(tab.id, factor);
    },
    { url, factor },
  );
  await expect
    .poll(() => bobPage.evaluate(() => window.innerWidth), { timeout: 3_000 })
    .toBeCloseTo(1280 / factor, -1);
}

beforeAll(async () => {
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, '../fixtures/real-pages'));
  [alice, bob] = await Promise.all([launchUser('alice-zoom'), launchUser('bob-zoom')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  const url = `${pages.url}/wikipedia/source.html`;
  await Promise.all([alicePage.goto(url), bobPage.goto(url)]);
  await (await shareWithPopup(alice, alicePage, server.url, 'Alice')).close();
  await (await shareWithPopup(bob, bobPage, server.url, 'Bob')).close();
  await alicePage.bringToFront();
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('remote cursor with zoom and scroll', () => {
  it('stays on the word when Bob zooms to 150 %, and lands on the next word in the zoomed tab', async () => {
    const [first, second] = await pickTargets(alicePage, [0.3, 0.6], 5);
    await alicePointsAt(first!);
    await scrollWordTo(bobPage, first!, 300);
    const before = await expectOnWord(first!);

    // Zooming reflows Bob's page under a cursor that does not move: it must follow the word.
    await zoomBob(1.5);
    await scrollWordTo(bobPage, first!, 300);
    const afterZoom = await expectOnWord(first!);

    await scrollWordTo(bobPage, second!, 300);
    await alicePointsAt(second!);
    const zoomed = await expectOnWord(second!);
    console.warn(
      `cursor at 150 % zoom: ${before} px before, ${afterZoom} px after zooming, ${zoomed} px for a new point`,
    );
    await zoomBob(1);
  });

  it('lands on the word when Bob has it elsewhere in his viewport, and stays on it as he scrolls', async () => {
    const [target] = await pickTargets(alicePage, [0.45], 5);
    // Alice has the word in the middle of her viewport; Bob near the top of his.
    await scrollWordTo(bobPage, target!, 120);
    await alicePointsAt(target!);
    const px = await expectOnWord(target!);
    const at = await cursorToWord(target!);
    expect(Math.abs(at.wordTop - 120)).toBeLessThan(5);

    // Bob scrolls on while Alice holds still; the word (and the cursor with it) moves down.
    await bobPage.evaluate(() => window.scrollBy(0, -250));
    const scrolled = await expectOnWord(target!);
    expect((await cursorToWord(target!)).wordTop).toBeGreaterThan(300);
    console.warn(`cursor with Bob scrolled: ${px} px, ${scrolled} px after he scrolled 250 px`);
  });
});

declare const chrome: {
  tabs: {
    query(q: object): Promise<Array<{ id?: number; url?: string }>>;
    setZoom(tabId: number, factor: number): Promise<void>;
  };
};
