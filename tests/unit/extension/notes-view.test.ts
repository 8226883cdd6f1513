// @vitest-environment happy-dom
/**
 * The notes view applies a change to the cards it touches: a new note adds one card and
 * leaves the others as they are (same elements), an edit rebuilds only its note's text,
 * and a reply goes into its thread without touching the reply box being written.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Note } from '../../../protocol/index.js';
import { describe as describeRange } from '../../../extension/content/anchoring/index.js';
import { NotesView } from '../../../extension/content/notes/notes-view.js';
import { createOverlay, type Overlay } from '../../../extension/content/overlay.js';

let overlay: Overlay;
let view: NotesView;
const sent: unknown[] = [];

function note(id: string, word: string, extra: Partial<Note> = {}): Note {
  const text = [...document.querySelectorAll('p')]
    .flatMap((p) => [...p.childNodes])
    .find((n): n is Text => n instanceof Text && n.data.includes(word))!;
  const range = document.createRange();
  range.setStart(text, text.data.indexOf(word));
  range.setEnd(text, text.data.indexOf(word) + word.length);
  return {
    id,
    room: 'room',
    version: 1,
    anchor: { selectors: describeRange(range, document.body) },
    body: `About ${word}`,
    author: { id: 'peer-a', name: 'Ada', color: '#4aa8ff' },
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...extra,
  };
}

const card = (id: string) => overlay.notes.querySelector(`article.card[data-note-id="${id}"]`);

beforeEach(() => {
  document.body.innerHTML =
    '<p>The keeper climbed the steps every evening.</p><p>He wrote in the ledger by the lamp.</p>';
  overlay = createOverlay(document);
  view = new NotesView(document, overlay, {
    update: (...args) => sent.push(['update', ...args]),
    delete: (...args) => sent.push(['delete', ...args]),
    reply: (...args) => sent.push(['reply', ...args]),
    exportNotes: () => undefined,
    importNotes: () => undefined,
    toast: () => undefined,
  });
  view.setSelf('peer-b');
});

afterEach(() => {
  view.clear();
  overlay.remove();
});

describe('NotesView', () => {
  it('adds one card for a new note and keeps every other card as it was', () => {
    view.setAll([note('n1', 'keeper'), note('n2', 'steps')]);
    const [first, second] = [card('n1'), card('n2')];
    expect(first).not.toBeNull();
    view.upsert(note('n3', 'ledger'));
    expect(card('n1')).toBe(first);
    expect(card('n2')).toBe(second);
    expect(card('n3')).not.toBeNull();
    // An edit of n2 rebuilds its text, not its card or the others.
    const body = card('n2')!.querySelector('[data-collab-note-body]');
    view.upsert(note('n2', 'steps', { version: 2, body: 'Edited', updatedAt: '2026-11-01T09:00:00.000Z' }));
    expect(card('n2')).toBe(second);
    expect(card('n2')!.querySelector('[data-collab-note-body]')).not.toBe(body);
    expect(card('n2')!.querySelector('[data-collab-note-body] span')!.getAttribute('data-text')).toBe(
      'Edited',
    );
    expect(card('n1')).toBe(first);
  });

  it('puts a reply in its thread without touching the reply box being written', () => {
    view.setAll([note('n1', 'keeper')]);
    (card('n1')!.querySelector('[data-collab-note-reply]') as HTMLElement).dispatchEvent(
      Object.defineProperty(new MouseEvent('click', { bubbles: true }), 'isTrusted', { value: true }),
    );
    const box = card('n1')!.querySelector('textarea')!;
    box.value = 'half a reply';
    view.upsert({ ...note('r1', 'keeper'), anchor: { selectors: [] }, parentId: 'n1', body: 'A reply' });
    expect(card('n1')!.querySelector('[data-reply-id="r1"]')).not.toBeNull();
    expect(card('n1')!.querySelector('textarea')).toBe(box);
    expect(box.value).toBe('half a reply');
    // Replies have their own hook: one card, one note.
    expect(overlay.notes.querySelectorAll('[data-note-id]')).toHaveLength(1);
  });

  it("announces a note or reply from someone else in the live region, not one's own nor those loaded at start", async () => {
    const said = () =>
      [...overlay.shadow.querySelectorAll('[data-collab-live] > *')].map((line) =>
        line.getAttribute('data-text'),
      );
    view.setAll([note('n1', 'keeper')]);
    expect(said()).toEqual([]);
    view.upsert(note('n2', 'ledger', { body: 'Whose   hand\nis this?' }));
    view.upsert(note('n3', 'steps', { author: { id: 'peer-b', name: 'Me', color: '#4aa8ff' } }));
    view.upsert({
      ...note('r1', 'keeper'),
      anchor: { selectors: [] },
      parentId: 'n1',
      body: 'x'.repeat(300),
    });
    // An edit is not news.
    view.upsert(note('n2', 'ledger', { version: 2, body: 'Edited' }));
    // Said together once the gathering window closes.
    expect(said()).toEqual([]);
    await vi.waitFor(() =>
      expect(said()).toEqual([
        'Ada added a note on “ledger”: Whose hand is this?',
        `Ada replied to a note: ${'x'.repeat(139)}…`,
      ]),
    );
    const region = overlay.shadow.querySelector('[data-collab-live]')!;
    expect([region.getAttribute('role'), region.getAttribute('aria-live')]).toEqual(['log', 'polite']);
  });

  it('lists the notes in the panel and orders the cards by their words on the page, not by arrival', () => {
    view.setAll([note('n1', 'ledger'), note('n2', 'steps'), note('n3', 'keeper')]);
    overlay.orphans
      .querySelector('[data-collab-notes-toggle]')!
      .dispatchEvent(
        Object.defineProperty(new MouseEvent('click', { bubbles: true }), 'isTrusted', { value: true }),
      );
    const order = [...overlay.orphans.querySelectorAll('[data-jump-to]')].map((entry) =>
      entry.getAttribute('data-jump-to'),
    );
    expect(order).toEqual(['n3', 'n2', 'n1']);
    // The cards too (their DOM order is the Tab order through cards and bubbles).
    const cards = [...overlay.notes.querySelectorAll('article.card')].map((c) =>
      c.getAttribute('data-note-id'),
    );
    expect(cards).toEqual(['n3', 'n2', 'n1']);
  });

  it('Escape on a card listed in the panel (not placed) closes the panel, not just the card', () => {
    const trustedEvent = <E extends Event>(event: E): E =>
      Object.defineProperty(event, 'isTrusted', { value: true });
    view.setAll([
      {
        ...note('n1', 'keeper'),
        anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'nowhere here' }] },
      },
    ]);
    const toggle = () => overlay.orphans.querySelector('[data-collab-notes-toggle]')!;
    toggle().dispatchEvent(trustedEvent(new MouseEvent('click', { bubbles: true })));
    const orphan = overlay.orphans.querySelector(
      '[data-collab-orphans] article.card [data-collab-note-reply]',
    )!;
    orphan.dispatchEvent(
      trustedEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true })),
    );
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(overlay.orphans.querySelector('[data-collab-orphans]')).toBeNull();
  });

  it('says many notes that arrive together (an import) as the first two and a count', async () => {
    const said = () =>
      [...overlay.shadow.querySelectorAll('[data-collab-live] > *')].map((line) =>
        line.getAttribute('data-text'),
      );
    view.setAll([]);
    for (const [i, word] of ['keeper', 'climbed', 'steps', 'evening', 'ledger'].entries())
      view.upsert(note(`n${i}`, word, { body: `Note ${i}` }));
    await vi.waitFor(() =>
      expect(said()).toEqual([
        'Ada added a note on “keeper”: Note 0',
        'Ada added a note on “climbed”: Note 1',
        'and 3 more notes or replies',
      ]),
    );
  });
});
