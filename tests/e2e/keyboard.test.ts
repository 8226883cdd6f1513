/**
 * The whole notes journey with the keyboard alone (no mouse in Alice's browser), and Bob
 * seeing each result. Alice selects words with caret browsing (`--enable-caret-browsing`,
 * F7 for a user), adds a note with Alt+Shift+N (the extension's command; headless Chromium
 * does not route `commands` shortcuts, so the keys reach the page, which answers the same
 * chord: the command's own path is tested in notes-panel.test.ts), opens the panel with
 * Alt+Shift+J, moves in its list with the arrow keys, opens a card with Enter, replies,
 * edits, deletes with its confirmation, closes with Escape, and opens a collapsed bubble.
 * After each close the focus is back where it was. Also: someone else's note is announced
 * in a polite live region whose text reaches Chromium's accessibility tree, cursors do
 * not, and a screenshot shows the focus ring.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusIs, overlayFocus, selectedText, selectWordByKeyboard, tabTo } from './support/keyboard.js';
import { addNote, cardOf, cardWith, highlights } from './support/notes-ui.js';
import { cursorOf, overlay } from './support/overlay-probe.js';
import { centre, wordBox } from './support/page-text.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;
let alicePage: Page;
let bobPage: Page;
/** Alice's first note, made with the keyboard. */
let noteId = '';

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle({ aliceArgs: ['--enable-caret-browsing'] });
  ({ alicePage, bobPage } = users);
  await alicePage.bringToFront();
});

afterAll(async () => {
  await users?.close();
});

interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
  childIds?: string[];
  backendDOMNodeId?: number;
}

/** Chromium's accessibility tree of the page (the overlay's closed root included). */
async function axTree(cdp: CDPSession): Promise<AXNode[]> {
  return ((await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] }).nodes;
}

const focusedPageElement = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active === document.body || !active
      ? 'body'
      : active.hasAttribute('data-collab-root')
        ? 'overlay'
        : active.localName;
  });

describe('notes with the keyboard alone', () => {
  it('adds a note on words selected with the keyboard (Alt+Shift+N, Ctrl+Enter); Bob sees it', async () => {
    await selectWordByKeyboard(alicePage, 'ledger');
    await alicePage.keyboard.press('Alt+Shift+N');
    await expect.poll(() => focusIs(alicePage, '[data-collab-note-input]')).toBe(true);
    // The words stay marked while the editor has the focus.
    expect((await highlights(alicePage, 'collab-note-draft')).map((h) => h.text)).toEqual(['ledger']);
    await alicePage.keyboard.type('Kept in the same careful hand.');
    // Tab to the colours (one stop, on the checked one), the arrows to blue, back to the text, save.
    await tabTo(alicePage, '[data-collab-note-color="#ffd400"]');
    await alicePage.keyboard.press('ArrowRight');
    await alicePage.keyboard.press('ArrowRight');
    expect(await focusIs(alicePage, '[data-collab-note-color="#4aa8ff"]')).toBe(true);
    expect(
      await overlay(alicePage).locator('[data-collab-note-color="#4aa8ff"]').getAttribute('aria-checked'),
    ).toBe('true');
    await tabTo(alicePage, '[data-collab-note-input]', { back: true });
    await alicePage.keyboard.press('Control+Enter');

    const bobCard = cardWith(bobPage, 'Kept in the same careful hand.');
    await bobCard.waitFor();
    noteId = (await bobCard.getAttribute('data-note-id')) ?? '';
    expect((await highlights(bobPage)).find((h) => h.text === 'ledger')?.name).toBe('collab-note-4aa8ff');
    // The focus is back on the page, the caret after the words.
    await expect.poll(() => overlayFocus(alicePage).count()).toBe(0);
    expect(await selectedText(alicePage)).toBe('');
    expect(await alicePage.evaluate(() => getSelection()?.anchorNode?.parentElement?.id)).toBe('p1');
  });

  it('Escape closes the composer and gives the selection back', async () => {
    await selectWordByKeyboard(alicePage, 'steps');
    await alicePage.keyboard.press('Alt+Shift+N');
    await expect.poll(() => focusIs(alicePage, '[data-collab-note-input]')).toBe(true);
    await alicePage.keyboard.press('Escape');
    await overlay(alicePage).locator('[data-collab-note-input]').waitFor({ state: 'detached' });
    expect(await overlayFocus(alicePage).count()).toBe(0);
    expect(await selectedText(alicePage)).toBe('steps');
    // The caret goes on after the words.
    await alicePage.keyboard.press('ArrowRight');
    expect(await selectedText(alicePage)).toBe('');
  });

  it("announces Bob's note politely; the text reaches the accessibility tree, cursors do not", async () => {
    await addNote(bobPage, '#p2', 'horns', 'Three blasts, like the old days.');
    const live = overlay(alicePage).locator('[data-collab-live] > *').filter({ hasText: 'Three blasts' });
    await live.waitFor({ state: 'attached' });
    expect(await live.textContent()).toBe('Bob added a note on “horns”: Three blasts, like the old days.');
    // Generated content in the closed root: the page cannot find the announcement.
    expect(
      await alicePage.evaluate(() =>
        (window as unknown as { find(s: string): boolean }).find('added a note'),
      ),
    ).toBe(false);
    // Bob's pointer is over Alice's page, drawn with his name.
    const at = centre(await wordBox(bobPage, '#p3', 'peaches'));
    await bobPage.mouse.move(at.x, at.y);
    await cursorOf(alicePage, 'Bob').waitFor();

    const cdp = await alicePage.context().newCDPSession(alicePage);
    try {
      const nodes = await axTree(cdp);
      const byId = new Map(nodes.map((n) => [n.nodeId, n]));
      const region = nodes.find((n) => n.role?.value === 'log');
      expect(region, 'a log (polite live region) in the tree').toBeDefined();
      const said: string[] = [];
      const walk = (n: AXNode | undefined): void => {
        if (!n) return;
        if (n.role?.value === 'StaticText' && n.name) said.push(n.name.value);
        n.childIds?.forEach((id) => walk(byId.get(id)));
      };
      walk(region);
      expect(said).toContain('Bob added a note on “horns”: Three blasts, like the old days.');
      // Bob's note card is an article named after him; his cursor label is nowhere in the tree.
      expect(
        nodes.some((n) => !n.ignored && n.role?.value === 'article' && n.name?.value === 'Note by Bob'),
      ).toBe(true);
      const cursorLabels = nodes.filter(
        (n) => !n.ignored && n.role?.value === 'StaticText' && n.name?.value === 'Bob',
      );
      // "Bob" appears as the author inside his card (one static text), never as a cursor label.
      expect(cursorLabels.length).toBe(1);
    } finally {
      await cdp.detach();
    }
  });

  it('Alt+Shift+J opens the panel; arrows move in its list; Enter opens a card; reply and edit; Escape twice goes back', async () => {
    const bobId = (await cardWith(bobPage, 'Three blasts').getAttribute('data-note-id')) ?? '';
    const entry = (id: string) => `[data-jump-to="${id}"]`;
    await alicePage.keyboard.press('Alt+Shift+J');
    await expect.poll(() => focusIs(alicePage, entry(noteId))).toBe(true);
    expect(await overlay(alicePage).locator('[data-collab-notes-toggle]').getAttribute('aria-expanded')).toBe(
      'true',
    );
    await alicePage.keyboard.press('ArrowDown');
    expect(await focusIs(alicePage, entry(bobId))).toBe(true);
    await alicePage.keyboard.press('Home');
    expect(await focusIs(alicePage, entry(noteId))).toBe(true);
    await alicePage.keyboard.press('End');
    expect(await focusIs(alicePage, entry(bobId))).toBe(true);
    await alicePage.keyboard.press('ArrowUp');
    // One Tab stop for the list: the entry last focused.
    expect(
      await overlay(alicePage).locator('[data-jump-to][tabindex="0"]').getAttribute('data-jump-to'),
    ).toBe(noteId);
    await alicePage.screenshot({ path: `${SCREENSHOTS}/keyboard-focus.png` });

    // Enter: the card opens, its words are marked and in view, the focus is on the card.
    await alicePage.keyboard.press('Enter');
    const card = cardOf(alicePage, noteId);
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    expect(await focusIs(alicePage, `article.card[data-note-id="${noteId}"]`)).toBe(true);
    const active = (await highlights(alicePage, 'collab-note-active'))[0];
    expect(active?.text).toBe('ledger');
    const height = await alicePage.evaluate(() => innerHeight);
    expect(active!.top).toBeGreaterThanOrEqual(0);
    expect(active!.bottom).toBeLessThanOrEqual(height);
    await alicePage.screenshot({ path: `${SCREENSHOTS}/keyboard-card-focus.png` });

    // Reply: Tab to Reply, Enter, type, Ctrl+Enter; Bob sees it; the focus is back on Reply.
    await tabTo(alicePage, '[data-collab-note-reply]');
    await alicePage.keyboard.press('Enter');
    await expect.poll(() => focusIs(alicePage, '[data-collab-inline-input]')).toBe(true);
    await alicePage.keyboard.type('Answered by the keeper himself.');
    await alicePage.keyboard.press('Control+Enter');
    await cardOf(bobPage, noteId)
      .locator('.reply[data-reply-id]')
      .filter({ hasText: 'Answered by the keeper' })
      .waitFor();
    await expect.poll(() => focusIs(alicePage, '[data-collab-note-reply]')).toBe(true);

    // Edit: back to Edit, Enter, replace the text, Ctrl+Enter; Bob sees it; the focus is on Edit.
    await tabTo(alicePage, `article.card > .actions [data-collab-note-edit]`, { back: true });
    await alicePage.keyboard.press('Enter');
    await expect.poll(() => focusIs(alicePage, '[data-collab-inline-input]')).toBe(true);
    await alicePage.keyboard.press('Control+a');
    await alicePage.keyboard.type('Kept in the same careful hand, every night.');
    await alicePage.keyboard.press('Control+Enter');
    await cardOf(bobPage, noteId)
      .locator('[data-collab-note-body]')
      .first()
      .filter({ hasText: 'every night' })
      .waitFor();
    await expect.poll(() => focusIs(alicePage, 'article.card > .actions [data-collab-note-edit]')).toBe(true);

    // Escape closes the card, back to its entry in the panel; Escape again closes the panel, back to the page.
    await alicePage.keyboard.press('Escape');
    await expect.poll(() => card.getAttribute('class')).not.toContain('open');
    expect(await focusIs(alicePage, entry(noteId))).toBe(true);
    await alicePage.keyboard.press('Escape');
    await overlay(alicePage).locator('[data-collab-notes-list]').waitFor({ state: 'detached' });
    expect(await overlayFocus(alicePage).count()).toBe(0);
    expect(await focusedPageElement(alicePage)).toBe('body');
  });

  it('reaches a collapsed bubble with Tab, opens it with Enter, Escape back to it, deletes with its confirmation', async () => {
    // A narrow window: no room in the margin, so notes are bubbles.
    await alicePage.setViewportSize({ width: 760, height: 800 });
    const card = cardOf(alicePage, noteId);
    await expect.poll(() => card.getAttribute('class')).toContain('bubble');
    await tabTo(alicePage, `article.card[data-note-id="${noteId}"] [data-collab-bubble]`);
    expect(
      await overlay(alicePage)
        .locator(`article.card[data-note-id="${noteId}"] [data-collab-bubble]`)
        .getAttribute('aria-label'),
    ).toBe('Note by Alice · 1 reply');
    await alicePage.screenshot({ path: `${SCREENSHOTS}/keyboard-bubble-focus.png` });

    await alicePage.keyboard.press('Enter');
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    expect(await focusIs(alicePage, `article.card[data-note-id="${noteId}"]`)).toBe(true);
    await alicePage.keyboard.press('Escape');
    await expect.poll(() => card.getAttribute('class')).toContain('bubble');
    expect(await focusIs(alicePage, `article.card[data-note-id="${noteId}"] [data-collab-bubble]`)).toBe(
      true,
    );

    // Delete asks first; the focus goes to the confirmation, then the note is gone for Bob too.
    await alicePage.keyboard.press('Enter');
    await expect.poll(() => focusIs(alicePage, `article.card[data-note-id="${noteId}"]`)).toBe(true);
    await tabTo(alicePage, 'article.card > .actions [data-collab-note-delete]');
    await alicePage.keyboard.press('Enter');
    await expect.poll(() => focusIs(alicePage, '[data-collab-note-delete-confirm]')).toBe(true);
    await alicePage.keyboard.press('Enter');
    await cardOf(bobPage, noteId).waitFor({ state: 'detached' });
    await card.waitFor({ state: 'detached' });
    expect(await overlayFocus(alicePage).count()).toBe(0);
  });

  it('the popup: Tab reaches the colours, the arrow keys choose one, and the choice is saved', async () => {
    const popup = await users.alice.openPopup(alicePage);
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    const checked = () => popup.locator('#color [aria-checked="true"]').getAttribute('data-color');
    const focusedColor = () =>
      popup.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.color ?? null);
    const before = await checked();
    // One Tab stop for the group: Tab lands on the checked colour.
    for (let i = 0; i < 20 && (await focusedColor()) === null; i++) await popup.keyboard.press('Tab');
    expect(await focusedColor()).toBe(before);
    await popup.keyboard.press('ArrowRight');
    await expect.poll(checked).not.toBe(before);
    const chosen = await checked();
    // The group was rebuilt from the saved state: the focus is on the new choice.
    expect(await focusedColor()).toBe(chosen);
    await popup.close();
    const again = await users.alice.openPopup(alicePage);
    await expect
      .poll(() => again.locator('#color [aria-checked="true"]').getAttribute('data-color'))
      .toBe(chosen);
    await again.close();
  });
});
