/**
 * Driving the page and the overlay with the keyboard alone, for tests/e2e/keyboard.test.ts:
 * selecting words with caret browsing (Chromium's `--enable-caret-browsing`, F7 for a
 * user), Tab until a control has the focus, and where the focus is now (in the overlay's
 * closed root or on the page). Only `page.keyboard` acts; the rest reads.
 */
import type { Page } from 'playwright-core';
import { overlay, type OverlayLocator } from './overlay-probe.js';

/** The overlay's focused element (none while the focus is on the page). */
export const overlayFocus = (page: Page): OverlayLocator => overlay(page).locator(':focus');

/** True when the overlay's focused element matches `selector`. */
export async function focusIs(page: Page, selector: string): Promise<boolean> {
  return (await overlay(page).locator(`${selector}:focus`).count()) === 1;
}

/** The page's selected text. */
export const selectedText = (page: Page): Promise<string> => page.evaluate(() => String(getSelection()));

/**
 * Selects `word` (its first occurrence after the caret's start at the top) with caret
 * browsing: Ctrl+Home, then word by word with Ctrl+Shift+ArrowRight, collapsing with
 * ArrowRight between words; the word is selected without the space before it.
 */
export async function selectWordByKeyboard(page: Page, word: string): Promise<void> {
  await page.keyboard.press('Control+Home');
  for (let step = 0; step < 400; step++) {
    await page.keyboard.press('Control+Shift+ArrowRight');
    const selected = await selectedText(page);
    if (selected.trim() === word) {
      if (selected === word) return;
      // " word": start again after the space.
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Control+Shift+ArrowRight');
      if ((await selectedText(page)) === word) return;
      throw new Error(`selected ${JSON.stringify(await selectedText(page))}, not ${word}`);
    }
    await page.keyboard.press('ArrowRight');
  }
  throw new Error(`"${word}" not reached with the keyboard`);
}

/** Presses Tab (or Shift+Tab) until the overlay's focus matches `selector`; at most `max` presses. */
export async function tabTo(
  page: Page,
  selector: string,
  options: { back?: boolean; max?: number } = {},
): Promise<void> {
  for (let i = 0; i < (options.max ?? 30); i++) {
    if (await focusIs(page, selector)) return;
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
  }
  if (!(await focusIs(page, selector))) throw new Error(`Tab never reached ${selector}`);
}
