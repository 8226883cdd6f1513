/**
 * axe-core on what users of the extension see: the popup, a note card (margin card, open
 * bubble card with a reply, the author's editor), the composer and the notes panel. Zero
 * serious or critical violations. The overlay lives in a closed shadow root: axe runs in a
 * CDP isolated world that holds the root (support/axe-probe.ts), and the first test proves
 * it looks inside (a seeded nameless button is reported) while the page sees neither axe
 * nor the root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeOverlay,
  axePage,
  countByImpact,
  describeViolations,
  type Impact,
  type Violation,
} from './support/axe-probe.js';
import { addNote, cardOf, cardWith, openComposerOn, openPanel } from './support/notes-ui.js';
import { overlay } from './support/overlay-probe.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const BLOCKING: readonly Impact[] = ['serious', 'critical'];

let users: TwoUsers;
/** Violations by surface; AXE_FIGURES=1 prints them (the figures in the README). */
const figures: Record<string, Record<Impact, number> & { rules: string[] }> = {};

function expectClean(surface: string, violations: readonly Violation[]): void {
  figures[surface] = { ...countByImpact(violations), rules: violations.map((v) => `${v.id} (${v.impact})`) };
  expect(describeViolations(violations, BLOCKING), surface).toEqual([]);
}

beforeAll(async () => {
  users = await twoUsersOnArticle();
});

afterAll(async () => {
  if (process.env.AXE_FIGURES) process.stderr.write(`axe violations by impact: ${JSON.stringify(figures)}\n`);
  await users?.close();
});

describe('axe-core on the popup and the overlay', () => {
  it('reaches inside the closed root (a seeded nameless button is reported) without opening it to the page', async () => {
    const { alicePage } = users;
    const seeded = await axeOverlay(alicePage, { seedUnnamedButton: true });
    const names = seeded.find((v) => v.id === 'button-name');
    expect(JSON.stringify(names?.targets)).toContain('data-axe-seed');
    // The page's world: no axe, and the root is still closed.
    expect(
      await alicePage.evaluate(() => ({
        axe: typeof (window as unknown as { axe?: unknown }).axe,
        root: document.querySelector('[data-collab-root]')?.shadowRoot ?? null,
      })),
    ).toEqual({ axe: 'undefined', root: null });
    expect(await overlay(alicePage).locator('[data-axe-seed]').count()).toBe(0);
  });

  it('the popup', async () => {
    const popup = await users.alice.openPopup(users.alicePage);
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    expectClean('popup', await axePage(popup));
    await popup.close();
  });

  it('the composer', async () => {
    const { alicePage } = users;
    await alicePage.bringToFront();
    await openComposerOn(alicePage, '#p1', 'ledger');
    await overlay(alicePage).locator('[data-collab-note-input]').fill('Who kept it before him?');
    expectClean('composer', await axeOverlay(alicePage));
    await overlay(alicePage).locator('[data-collab-note-save]').click();
  });

  it('a note card with a reply, for its author and for another reader, and the author editing it', async () => {
    const { alicePage, bobPage } = users;
    const bobCard = cardWith(bobPage, 'Who kept it before him?');
    await bobCard.waitFor();
    await bobCard.locator('[data-collab-note-reply]').click();
    await bobCard.locator('[data-collab-inline-input]').fill('His father, I think.');
    await bobCard.locator('[data-collab-inline-save]').click();
    await cardWith(alicePage, 'Who kept it before him?').locator('.reply[data-reply-id]').waitFor();
    // By id: while it is edited, the note's text is in the editor, not the card's text.
    const aliceCard = cardOf(alicePage, (await bobCard.getAttribute('data-note-id')) ?? '');
    expectClean('card (author)', await axeOverlay(alicePage));
    expectClean('card (reader)', await axeOverlay(bobPage));
    await aliceCard.locator('[data-collab-note-edit]').first().click();
    await aliceCard.locator('[data-collab-inline-input]').waitFor();
    expectClean('card (editing)', await axeOverlay(alicePage));
    await aliceCard.locator('[data-collab-inline-cancel]').click();
    await aliceCard.locator('[data-collab-note-delete]').first().click();
    await aliceCard.locator('[data-collab-note-delete-confirm]').waitFor();
    expectClean('card (confirming delete)', await axeOverlay(alicePage));
    await aliceCard.locator('[data-collab-note-delete-cancel]').click();
  });

  it('bubbles, and a bubble opened into its card', async () => {
    const { bobPage } = users;
    await addNote(bobPage, '#p2', 'horns', 'Three blasts.');
    // A fresh page (no card left open from the reply above), in a window too narrow for margin cards.
    await bobPage.setViewportSize({ width: 760, height: 800 });
    await bobPage.reload();
    const card = cardWith(bobPage, 'Three blasts.');
    await expect.poll(() => card.getAttribute('class')).toContain('bubble');
    expectClean('bubbles', await axeOverlay(bobPage));
    await card.click();
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    expectClean('bubble opened', await axeOverlay(bobPage));
    await bobPage.keyboard.press('Escape');
    await bobPage.setViewportSize({ width: 1280, height: 800 });
  });

  it('the notes panel', async () => {
    const { bobPage } = users;
    await openPanel(bobPage);
    await overlay(bobPage).locator('[data-jump-to]').first().waitFor();
    expectClean('notes panel', await axeOverlay(bobPage));
  });
});
