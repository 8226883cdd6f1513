/**
 * The main flows of the cross-feature matrix, each checked from the other user's side:
 * both see each other, Alice's note reaches Bob (made through a disturbance), her cursor
 * reaches him, her edit reaches him, his reply reaches her, he reloads and still has it
 * all, her delete takes it off both pages. Real mouse and keyboard on the overlay.
 */
import { expect } from 'vitest';
import type { Cell, Disturbance } from './matrix-disturbances.js';
import type { Seat } from './matrix-rooms.js';
import { addNote, cardOf, cards, cardWith, repliesIn } from './notes-ui.js';
import { cursorOf, overlay, type OverlayLocator } from './overlay-probe.js';
import { centre, wordBox } from './page-text.js';
import type { Page } from 'playwright-core';

/** Long enough for socket.io's reconnect back-off after a server restart (at most 5 s). */
export const STEP_MS = 15_000;

/** What the flows write in one cell; the cell's name makes every text unique to it. */
export interface Texts {
  /** The note's id, once `create` saw it stored. */
  id: string;
  body: string;
  edited: string;
  reply: string;
}

export const textsFor = (cell: string): Texts => ({
  id: '',
  body: `Matrix note ${cell}`,
  edited: `Matrix note ${cell}, edited`,
  reply: `Bob answers in ${cell}`,
});

/** The page's sharing pill when the room holds the two of them. */
const pillTogether = (page: Page, room: string): OverlayLocator =>
  overlay(page)
    .locator('[data-collab-indicator]')
    .filter({ hasText: `Sharing · ${room} · 1 other here` });

/** What a page's overlay tells its user (sharing pill, last message), for a red cell's error. */
async function pageSays(page: Page): Promise<string> {
  const said: string[] = [];
  for (const [what, css] of [
    ['pill', '[data-collab-indicator]'],
    ['message', '.toast'],
  ] as const) {
    const found = overlay(page).locator(css);
    if ((await found.count()) === 1 && (await found.isVisible()))
      said.push(`${what} "${await found.textContent()}"`);
  }
  return said.length > 0 ? said.join(', ') : 'nothing';
}

/** Waits for `locator`; a miss says what `who`'s page showed instead. */
async function see(
  locator: OverlayLocator,
  who: Seat,
  what: string,
  state: 'visible' | 'detached' = 'visible',
): Promise<void> {
  await locator.waitFor({ state, timeout: STEP_MS }).catch(async (error: unknown) => {
    throw new Error(`${what}; ${who.name}'s page says ${await pageSays(who.page)}`, { cause: error });
  });
}

/** Each user's page says they are in `room` with one other person. */
export async function presence({ alice, bob }: Cell, room: string): Promise<void> {
  for (const seat of [alice, bob]) await see(pillTogether(seat.page, room), seat, `not both in the ${room}`);
}

const CURSOR_WORD = ['#p1', 'ledger'] as const;

/** Alice points at a word; Bob's page draws her cursor on that word (within 12 px). */
export async function cursor({ alice, bob }: Cell): Promise<void> {
  for (const { page } of [alice, bob])
    await page.evaluate(
      (id) => document.querySelector(id)?.scrollIntoView({ block: 'center' }),
      CURSOR_WORD[0],
    );
  const target = centre(await wordBox(alice.page, ...CURSOR_WORD));
  let nudge = 0;
  await expect
    .poll(
      async () => {
        // A user keeps moving the mouse: a move made while the worker reconnects is gone, as live.
        nudge = 1 - nudge;
        await alice.page.mouse.move(target.x + nudge, target.y, { steps: 2 });
        const drawn = cursorOf(bob.page, 'Alice');
        if ((await drawn.count()) === 0) return Infinity;
        const box = await drawn.boundingBox();
        const expected = centre(await wordBox(bob.page, ...CURSOR_WORD));
        return box ? Math.hypot(box.x - expected.x, box.y - expected.y) : Infinity;
      },
      { timeout: STEP_MS, message: "Alice's cursor on Bob's page, px from the word" },
    )
    .toBeLessThan(12);
}

/** Alice adds a note on a word (through the disturbance); Bob's page shows its card. */
export async function create(cell: Cell, disturbance: Disturbance, texts: Texts): Promise<void> {
  await disturbance.create(cell, texts.body, () => addNote(cell.alice.page, '#p2', 'headland', texts.body));
  const { alice, bob } = cell;
  await see(cardWith(bob.page, texts.body), bob, "Alice's note not on Bob's page");
  texts.id = (await cardWith(bob.page, texts.body).getAttribute('data-note-id')) ?? '';
  await see(cardOf(alice.page, texts.id), alice, "Alice's note not stored on her page");
}

const bodyOf = (card: OverlayLocator, text: string): OverlayLocator =>
  card.locator('[data-collab-note-body]').first().filter({ hasText: text });

/** Alice edits her note; Bob's card shows the new text. */
export async function edit({ alice, bob }: Cell, texts: Texts): Promise<void> {
  const card = cardOf(alice.page, texts.id);
  await card.locator('[data-collab-note-edit]').first().click();
  await card.locator('[data-collab-inline-input]').fill(texts.edited);
  await card.locator('[data-collab-inline-save]').click();
  await see(bodyOf(cardOf(bob.page, texts.id), texts.edited), bob, "Alice's edit not on Bob's page");
}

/** Bob replies under the note; Alice sees the reply in her card. */
export async function reply({ alice, bob }: Cell, texts: Texts): Promise<void> {
  const card = cardOf(bob.page, texts.id);
  await card.locator('[data-collab-note-reply]').click();
  await card.locator('[data-collab-inline-input]').fill(texts.reply);
  await card.locator('[data-collab-inline-save]').click();
  const seen = repliesIn(cardOf(alice.page, texts.id)).filter({ hasText: texts.reply });
  await see(seen, alice, "Bob's reply not on Alice's page");
}

/** Bob reloads: still in the room with Alice, and the note is there once, edited, with its reply. */
export async function reload(cell: Cell, room: string, texts: Texts): Promise<void> {
  const { bob } = cell;
  await bob.page.reload();
  const card = cardOf(bob.page, texts.id);
  await see(bodyOf(card, texts.edited), bob, 'the edited note not on the reloaded page');
  await see(repliesIn(card).filter({ hasText: texts.reply }), bob, 'the reply not on the reloaded page');
  expect(await cards(bob.page).count()).toBe(1);
  await presence(cell, room);
}

/** Alice deletes the note; it leaves Bob's page and hers. */
export async function remove({ alice, bob }: Cell, texts: Texts): Promise<void> {
  const card = cardOf(alice.page, texts.id);
  await card.locator('[data-collab-note-delete]').first().click();
  await card.locator('[data-collab-note-delete-confirm]').click();
  await see(cardOf(bob.page, texts.id), bob, "the deleted note still on Bob's page", 'detached');
  await see(cardOf(alice.page, texts.id), alice, "the deleted note still on Alice's page", 'detached');
}
