/**
 * Driving the notes UI of the overlay like a user, for the notes e2e tests: real
 * mouse and keyboard input, the overlay reached through its closed root (overlay-probe.ts).
 */
import type { Page } from 'playwright-core';
import type { BrowserUser } from './browser-user.js';
import { overlay, type OverlayLocator } from './overlay-probe.js';
import { centre, wordBox } from './page-text.js';
import { shareWithPopup } from './sharing.js';

/** Points the user's extension at the server, names them and turns sharing on for the page's site. */
export async function joinWithPopup(
  user: BrowserUser,
  page: Page,
  serverUrl: string,
  name: string,
): Promise<void> {
  const popup = await shareWithPopup(user, page, serverUrl, name);
  await popup.close();
  await page.bringToFront();
  // The overlay's notes panel shows once the tab's session is active.
  await overlay(page).locator('[data-collab-notes-toggle]').waitFor();
}

/** Selects a word by double-clicking it, opens the composer, optionally picks a colour. */
export async function openComposerOn(page: Page, selector: string, word: string): Promise<void> {
  const at = centre(await wordBox(page, selector, word));
  await page.mouse.dblclick(at.x, at.y);
  await overlay(page).locator('[data-collab-add-note]').click();
  await overlay(page).locator('[data-collab-note-input]').waitFor();
}

/** Adds a note on `word` through the page UI and resolves with the note's card. */
export async function addNote(
  page: Page,
  selector: string,
  word: string,
  body: string,
  color?: string,
): Promise<void> {
  await openComposerOn(page, selector, word);
  await overlay(page).locator('[data-collab-note-input]').fill(body);
  if (color) await overlay(page).locator(`[data-collab-note-color="${color}"]`).click();
  await overlay(page).locator('[data-collab-note-save]').click();
}

/** The top-level card (an `article`) whose text contains `text`. */
export const cardWith = (page: Page, text: string): OverlayLocator =>
  overlay(page).locator('article.card[data-note-id]').filter({ hasText: text });

/** The top-level card of the note `id` (its text may be in an editor, where `cardWith` misses it). */
export const cardOf = (page: Page, id: string): OverlayLocator =>
  overlay(page).locator(`article.card[data-note-id="${id}"]`);

/** Every stored (not pending) top-level card on the page. */
export const cards = (page: Page): OverlayLocator => overlay(page).locator('article.card[data-note-id]');

/**
 * The stored (not pending) replies inside a card. Replies are told apart from cards here
 * only, so counting `cards` counts notes whatever hook replies carry.
 */
export const repliesIn = (card: OverlayLocator): OverlayLocator => card.locator('.reply[data-reply-id]');

/** Cards and replies still waiting in the outbox. */
export const pendingItems = (page: Page): OverlayLocator => overlay(page).locator('[data-pending-op]');

/** One range of a CSS Custom Highlight the overlay registered on the page, in viewport coordinates. */
export interface HighlightedRange {
  /** The highlight's name (`collab-note-<colour>`, `collab-note-active`, ...). */
  name: string;
  text: string;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Every highlighted range on the page. The highlight registry belongs to the document,
 * so the page's own world sees the ranges the content script registered.
 */
export async function highlights(page: Page, name?: string): Promise<HighlightedRange[]> {
  const all = await page.evaluate(() => {
    const out: HighlightedRange[] = [];
    CSS.highlights.forEach((highlight, key) => {
      highlight.forEach((range) => {
        if (!(range instanceof Range)) return;
        const r = range.getBoundingClientRect();
        out.push({
          name: key,
          text: range.toString(),
          top: r.top,
          bottom: r.bottom,
          left: r.left,
          right: r.right,
        });
      });
    });
    return out;
  });
  return name === undefined ? all : all.filter((h) => h.name === name);
}

/** Opens the overlay's notes panel (if it is closed). */
export async function openPanel(page: Page): Promise<void> {
  const toggle = overlay(page).locator('[data-collab-notes-toggle]');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await overlay(page).locator('[data-collab-notes-list]').waitFor();
}

/** Cards of notes that could not be placed, in the panel's orphan list. */
export const orphanCards = (page: Page): OverlayLocator =>
  overlay(page).locator('[data-collab-orphans] article.card[data-note-id]');

/** Cards of notes placed on the page (not in the orphan list). */
export const placedCards = (page: Page): OverlayLocator =>
  overlay(page).locator('article.card[data-note-id]:not(.orphan)');
