/**
 * Notes between two real Chromium users: replies, edits and deletes show up
 * live for the other user; only the author gets Edit/Delete; a note body full of HTML
 * and script is shown as literal text and nothing of it runs. Also takes the notes
 * screenshots (editor, thread, panel) for docs/screenshots.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, cardWith, openComposerOn } from './support/notes-ui.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';
import { overlay } from './support/overlay-probe.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let users: TwoUsers;
let alicePage: Page;
let bobPage: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  users = await twoUsersOnArticle();
  ({ alicePage, bobPage } = users);
});

afterAll(async () => {
  await users?.close();
});

describe('notes between two users', () => {
  it('shows a reply, an edit and a delete live to the other user, with author, time and edited state', async () => {
    await openComposerOn(alicePage, '#p1', 'ledger');
    await overlay(alicePage).locator('[data-collab-note-input]').fill('Who kept this ledger before him?');
    await overlay(alicePage).locator('[data-collab-note-color="#4aa8ff"]').click();
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-editor.png` });
    await overlay(alicePage).locator('[data-collab-note-save]').click();

    const bobCard = cardWith(bobPage, 'Who kept this ledger');
    await bobCard.waitFor();
    const id = await bobCard.getAttribute('data-note-id');
    expect(await bobCard.locator('.author').first().textContent()).toBe('Alice');
    expect(await bobCard.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Only the author may edit or delete (the server enforces it too).
    expect(await bobCard.locator('[data-collab-note-edit], [data-collab-note-delete]').count()).toBe(0);

    // Bob replies; Alice sees it in the thread under her note.
    await bobCard.locator('[data-collab-note-reply]').click();
    await bobCard.locator('[data-collab-inline-input]').fill('His father, I think.');
    await bobCard.locator('[data-collab-inline-save]').click();
    const aliceCard = overlay(alicePage).locator(`article.card[data-note-id="${id}"]`);
    const reply = aliceCard.locator('.reply[data-reply-id]').filter({ hasText: 'His father, I think.' });
    await reply.waitFor();
    expect(await reply.locator('.author').textContent()).toBe('Bob');

    // Alice edits her note; Bob sees the new text marked as edited.
    await aliceCard.locator('[data-collab-note-edit]').first().click();
    await aliceCard
      .locator('[data-collab-inline-input]')
      .fill('Who kept this ledger before him? See https://example.org/keepers');
    await aliceCard.locator('[data-collab-inline-save]').click();
    const edited = overlay(bobPage).locator(`article.card[data-note-id="${id}"]`);
    await edited
      .locator('[data-collab-note-body]')
      .first()
      .filter({ hasText: 'See https://example.org/keepers' })
      .waitFor();
    await edited.locator('[data-collab-edited]').first().waitFor();
    const link = edited.locator('[data-collab-note-body] a').first();
    expect(await link.getAttribute('href')).toBe('https://example.org/keepers');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    await bobPage.screenshot({ path: `${SCREENSHOTS}/note-thread.png` });

    // The panel lists the page's notes and jumps to them.
    await overlay(bobPage).locator('[data-collab-notes-toggle]').click();
    await overlay(bobPage).locator(`[data-jump-to="${id}"]`).waitFor();
    await bobPage.screenshot({ path: `${SCREENSHOTS}/notes-panel.png` });
    await overlay(bobPage).locator(`[data-jump-to="${id}"]`).click();
    await expect.poll(() => edited.getAttribute('class')).toContain('open');
    await overlay(bobPage).locator('[data-collab-notes-toggle]').click();

    // Alice deletes her note (two steps); it disappears for Bob, his reply is kept.
    await aliceCard.locator('[data-collab-note-delete]').first().click();
    await aliceCard.locator('[data-collab-note-delete-confirm]').click();
    await edited.waitFor({ state: 'detached' });
    await overlay(alicePage).locator(`article.card[data-note-id="${id}"]`).waitFor({ state: 'detached' });
  });

  it('renders a note body with HTML and script as literal text, and nothing of it runs', async () => {
    const evil = '<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>';
    await addNote(alicePage, '#p3', 'peaches', evil);
    for (const page of [bobPage, alicePage]) {
      const card = cardWith(page, '<script>');
      await card.waitFor();
      expect(await card.locator('[data-collab-note-body]').first().textContent()).toBe(evil);
      expect(await card.locator('img, script').count()).toBe(0);
      expect(await overlay(page).locator('img, script').count()).toBe(0);
      // page.evaluate runs in the page's main world, where the payload would have written.
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }
  });
});
