/**
 * The notes view as a new user meets it, on real pages (bbc-1 and lwn-1 of the Readability
 * test pages) wider than an 800 px window: a card is drawn inside the visible width,
 * never where nobody sees it; a collapsed note is a bubble beside the text, not over it,
 * that says what it is (count, author colour, who wrote it on hover); the link that opens
 * the reply box and the button that sends a reply say different things; replies carry
 * their own hook, so counting `data-note-id` counts notes; and a reply being written keeps
 * its focus and text while notes and replies of others arrive (cards are not rebuilt).
 * Saves the screenshots of these states.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { cardWith, joinWithPopup } from './support/notes-ui.js';
import { overlay, type Box } from './support/overlay-probe.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const NARROW = { width: 800, height: 700 };

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

/** The viewport box of `word` inside the first text node of the page that contains `context`. */
async function wordIn(page: Page, context: string, word: string): Promise<Box & { block: Box }> {
  return page.evaluate(
    ([ctx, w]) => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent!.indexOf(ctx!);
        if (at < 0) continue;
        const start = at + ctx!.indexOf(w!);
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + w!.length);
        const r = range.getBoundingClientRect();
        const b = node.parentElement!.closest('p, li, div')!.getBoundingClientRect();
        return {
          x: r.x,
          y: r.y,
          width: r.width,
          height: r.height,
          block: { x: b.x, y: b.y, width: b.width, height: b.height },
        };
      }
      throw new Error(`no text ${ctx}`);
    },
    [context, word] as const,
  );
}

/** Selects `word` (double-click) and saves a note on it through the page UI. */
async function noteOn(page: Page, context: string, word: string, body: string): Promise<void> {
  const box = await wordIn(page, context, word);
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await overlay(page).locator('[data-collab-add-note]').click();
  await overlay(page).locator('[data-collab-note-input]').fill(body);
  await overlay(page).locator('[data-collab-note-save]').click();
}

const visibleWidth = (page: Page) => page.evaluate(() => document.documentElement.clientWidth);

const intersects = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, '../fixtures/real-pages'));
  [alice, bob] = await Promise.all([launchUser('alice', NARROW), launchUser('bob')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  const url = `${pages.url}/lwn-1/source.html`;
  await Promise.all([alicePage.goto(url), bobPage.goto(url)]);
  await joinWithPopup(alice, alicePage, server.url, 'Alice');
  await joinWithPopup(bob, bobPage, server.url, 'Bob');
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

describe('the notes view on a page wider than the window', () => {
  it('draws a note inside the visible width, not the scroll width (bbc-1: 2056 px wide in an 800 px window)', async () => {
    await alicePage.goto(`${pages.url}/bbc-1/source.html`);
    await overlay(alicePage).locator('[data-collab-notes-toggle]').waitFor();
    expect(await alicePage.evaluate(() => document.documentElement.scrollWidth)).toBeGreaterThan(2000);
    await noteOn(alicePage, 'Hours after the interview', 'interview', 'Which interview?');
    const card = cardWith(alicePage, 'Which interview?');
    await card.waitFor();
    const width = await visibleWidth(alicePage);
    const box = (await card.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    await card.click();
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    const open = (await card.boundingBox())!;
    expect(open.x).toBeGreaterThanOrEqual(0);
    expect(open.x + open.width).toBeLessThanOrEqual(width);
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-wide-page.png` });
    await alicePage.goto(`${pages.url}/lwn-1/source.html`);
    await overlay(alicePage).locator('[data-collab-notes-toggle]').waitFor();
  });

  it('shows a collapsed note as a bubble beside the text that says what it is', async () => {
    expect(await alicePage.evaluate(() => document.documentElement.scrollWidth)).toBeGreaterThan(
      NARROW.width,
    );
    await noteOn(alicePage, 'battle between two companies', 'battle', 'Which two companies, and since when?');
    const card = cardWith(alicePage, 'Which two companies');
    await card.waitFor();
    await expect.poll(() => card.getAttribute('class')).toContain('bubble');
    const width = await visibleWidth(alicePage);
    const bubble = (await card.boundingBox())!;
    expect(bubble.x).toBeGreaterThanOrEqual(0);
    expect(bubble.x + bubble.width).toBeLessThanOrEqual(width);
    // Beside the paragraph, not over its lines.
    const words = await wordIn(alicePage, 'battle between two companies', 'battle');
    expect(intersects(bubble, words.block)).toBe(false);
    expect(Math.abs(bubble.y - words.y)).toBeLessThan(30);
    // It says what it is: how many notes, and (on hover) who wrote it.
    const label = card.locator('[data-collab-bubble]');
    expect(await label.locator('.count').textContent()).toBe('1');
    // A button named for what it is: who wrote the note (and how many replies it has).
    expect(await label.getAttribute('aria-label')).toBe('Note by Alice');
    const tip = card.locator('.bubble-tip');
    expect(await tip.isVisible()).toBe(false);
    await alicePage.mouse.move(bubble.x + bubble.width / 2, bubble.y + bubble.height / 2);
    await tip.waitFor();
    expect(await tip.textContent()).toBe('Note by Alice');
    const tipBox = (await tip.boundingBox())!;
    expect(tipBox.x).toBeGreaterThanOrEqual(0);
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-bubble.png` });

    // Opened, the card is below its words and inside the visible width too.
    await card.click();
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    const open = (await card.boundingBox())!;
    expect(open.x).toBeGreaterThanOrEqual(0);
    expect(open.x + open.width).toBeLessThanOrEqual(width);
    expect(open.y).toBeGreaterThan(words.y);
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-open-narrow.png` });
  });

  it('labels Reply and Send reply apart, counts notes by data-note-id, and keeps a reply being written while others arrive', async () => {
    const card = cardWith(bobPage, 'Which two companies');
    await card.waitFor();
    // The page's text fills Bob's window too: the note is a bubble until he opens it.
    await card.click();
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    const open = card.locator('[data-collab-note-reply]');
    expect(await open.textContent()).toBe('Reply');
    await open.click();
    const send = card.locator('[data-collab-inline-save]');
    expect(await send.textContent()).toBe('Send reply');
    const input = card.locator('[data-collab-inline-input]');
    await input.click();
    await bobPage.keyboard.type('Arduino LLC and Arduino SRL');
    await bobPage.screenshot({ path: `${SCREENSHOTS}/note-reply-box.png` });

    // Meanwhile Alice adds a note and replies to the one Bob is answering.
    await noteOn(alicePage, 'battle for developer participation', 'participation', 'Counted how?');
    const aliceCard = cardWith(alicePage, 'Which two companies');
    await aliceCard.locator('[data-collab-note-reply]').click();
    await aliceCard.locator('[data-collab-inline-input]').fill('Since 2008, I think.');
    await aliceCard.locator('[data-collab-inline-save]').click();
    await cardWith(bobPage, 'Counted how?').waitFor();
    await card.locator('[data-reply-id]').filter({ hasText: 'Since 2008' }).waitFor();

    // Bob's box was not rebuilt: still focused, his text and caret where he left them.
    expect(await input.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement, null)).toBe(
      true,
    );
    await bobPage.keyboard.type(', both in 2015.');
    expect(await input.evaluate((el) => (el as HTMLTextAreaElement).value, null)).toBe(
      'Arduino LLC and Arduino SRL, both in 2015.',
    );
    await bobPage.keyboard.press('ControlOrMeta+Enter');
    await card.locator('[data-reply-id]').filter({ hasText: 'both in 2015' }).waitFor();

    // Two notes, two replies: the hooks count what they say.
    for (const page of [bobPage, alicePage]) {
      await expect.poll(() => overlay(page).locator('[data-reply-id]').count()).toBe(2);
      expect(await overlay(page).locator('[data-note-id]').count()).toBe(2);
    }
    await bobPage.screenshot({ path: `${SCREENSHOTS}/note-thread-replies.png` });
  });
});
