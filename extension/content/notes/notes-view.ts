/**
 * Shows the room's notes on the page: each note is anchored to its words (highlighted)
 * and gets a card next to them (`data-note-id`, author and body via textContent).
 * Notes that do not anchor go to the "orphaned" list with their quoted text. Replies
 * are listed inside their parent's card. Everything is re-anchored when the page's
 * size or text changes.
 */
import type { Note, Selector } from '../../../protocol/index.js';
import { anchor, buildTextIndex } from '../anchoring/index.js';
import { documentSize } from '../cursor-anchor.js';
import type { Overlay } from '../overlay.js';
import type { Highlighter } from './highlighter.js';

const CARD_WIDTH = 220;
const CARD_GAP = 8;
/** Re-anchoring waits for the page to settle after DOM changes. */
const MUTATION_DELAY_MS = 400;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function quoteOf(selectors: readonly Selector[]): string | null {
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  return quote?.type === 'TextQuoteSelector' ? quote.exact : null;
}

export class NotesView {
  private readonly notes = new Map<string, Note>();
  private readonly cards = new Map<string, HTMLElement>();
  private readonly orphanList: HTMLElement;
  private readonly orphanTitle: HTMLElement;
  private frame: number | null = null;
  private mutationTimer: number | undefined;
  private readonly observer: MutationObserver | null;
  private readonly resizeObserver: ResizeObserver | null;

  constructor(
    private readonly doc: Document,
    private readonly overlay: Overlay,
    private readonly highlighter: Highlighter,
  ) {
    this.orphanTitle = doc.createElement('h2');
    this.orphanList = doc.createElement('div');
    overlay.orphans.append(this.orphanTitle, this.orphanList);
    const view = doc.defaultView;
    this.observer = view?.MutationObserver
      ? new view.MutationObserver(() => {
          view.clearTimeout(this.mutationTimer);
          this.mutationTimer = view.setTimeout(() => this.scheduleRender(), MUTATION_DELAY_MS);
        })
      : null;
    this.resizeObserver = view?.ResizeObserver ? new view.ResizeObserver(() => this.scheduleRender()) : null;
  }

  /** Replaces every note (after subscribing). */
  setAll(notes: readonly Note[]): void {
    this.notes.clear();
    for (const note of notes) this.notes.set(note.id, note);
    this.render();
  }

  upsert(note: Note): void {
    this.notes.set(note.id, note);
    this.render();
  }

  remove(id: string): void {
    this.notes.delete(id);
    this.render();
  }

  clear(): void {
    this.notes.clear();
    this.render();
  }

  /** Re-anchors on the next frame; many calls in one frame do the work once. */
  scheduleRender(): void {
    const view = this.doc.defaultView;
    if (!view || this.frame !== null) return;
    this.frame = view.requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  private watch(active: boolean): void {
    if (!active) {
      this.observer?.disconnect();
      this.resizeObserver?.disconnect();
      return;
    }
    const body = this.doc.body;
    if (!body) return;
    // Our overlay lives outside body, so drawing never triggers this observer.
    this.observer?.observe(body, { childList: true, subtree: true, characterData: true });
    this.resizeObserver?.observe(body);
  }

  private render(): void {
    this.watch(this.notes.size > 0);
    const body = this.doc.body;
    const index = body ? buildTextIndex(body) : null;
    const ranges: Range[] = [];
    const placed: Array<{ card: HTMLElement; range: Range }> = [];
    const orphans: HTMLElement[] = [];
    const seen = new Set<string>();
    const topLevel = [...this.notes.values()].filter(
      (note) => !note.parentId || !this.notes.has(note.parentId),
    );
    for (const note of topLevel) {
      seen.add(note.id);
      const card = this.card(note);
      const range =
        body && index && note.anchor.selectors.length > 0 ? anchor(note.anchor.selectors, body, index) : null;
      if (range) {
        ranges.push(range);
        placed.push({ card, range });
      } else {
        orphans.push(card);
      }
    }
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.remove();
        this.cards.delete(id);
      }
    }
    this.highlighter.set(ranges);
    this.overlay.notes.replaceChildren(...placed.map((item) => item.card));
    this.placeCards(placed);
    this.orphanList.replaceChildren(...orphans);
    this.orphanTitle.textContent = `Orphaned notes (${orphans.length})`;
    this.overlay.orphans.hidden = orphans.length === 0;
  }

  /** Builds or refreshes the card of a top-level note (with its replies). */
  private card(note: Note): HTMLElement {
    const doc = this.doc;
    let card = this.cards.get(note.id);
    if (!card) {
      card = doc.createElement('article');
      card.className = 'card';
      card.setAttribute('data-note-id', note.id);
      this.cards.set(note.id, card);
    }
    card.style.setProperty('--note-color', note.color ?? note.author.color);
    card.style.removeProperty('left');
    card.style.removeProperty('top');
    const parts: HTMLElement[] = [];
    const author = doc.createElement('span');
    author.className = 'author';
    author.textContent = note.author.name;
    parts.push(author);
    const quote = quoteOf(note.anchor.selectors);
    if (quote !== null) {
      const quoted = doc.createElement('div');
      quoted.className = 'quote';
      quoted.textContent = quote;
      parts.push(quoted);
    }
    const body = doc.createElement('p');
    body.className = 'body';
    body.textContent = note.body;
    parts.push(body);
    for (const reply of this.notes.values()) {
      if (reply.parentId !== note.id) continue;
      const row = doc.createElement('p');
      row.className = 'body reply';
      row.setAttribute('data-note-id', reply.id);
      const name = doc.createElement('strong');
      name.textContent = `${reply.author.name}: `;
      row.append(name, reply.body);
      parts.push(row);
    }
    card.replaceChildren(...parts);
    return card;
  }

  /** Puts each card right of its words (or below them near the page's right edge), without overlaps. */
  private placeCards(placed: ReadonlyArray<{ card: HTMLElement; range: Range }>): void {
    const view = this.doc.defaultView;
    const scrollX = view?.scrollX ?? 0;
    const scrollY = view?.scrollY ?? 0;
    const size = documentSize(this.doc);
    const boxes: Box[] = [];
    const targets = placed.map(({ card, range }) => {
      const rects = range.getClientRects();
      const last = rects[rects.length - 1] ?? range.getBoundingClientRect();
      let left = last.right + scrollX + CARD_GAP;
      let top = last.top + scrollY - 4;
      if (left + CARD_WIDTH > size.width - 4) {
        left = Math.max(4, Math.min(last.left + scrollX, size.width - CARD_WIDTH - 4));
        top = last.bottom + scrollY + CARD_GAP;
      }
      return { card, left, top };
    });
    targets.sort((a, b) => a.top - b.top || a.left - b.left);
    for (const target of targets) {
      // The card is in the DOM already, so its height is known.
      const height = target.card.offsetHeight || 60;
      const box: Box = { left: target.left, top: Math.max(0, target.top), width: CARD_WIDTH, height };
      for (const other of boxes) {
        const overlaps =
          box.left < other.left + other.width &&
          other.left < box.left + box.width &&
          box.top < other.top + other.height + 4 &&
          other.top < box.top + box.height;
        if (overlaps) box.top = other.top + other.height + 6;
      }
      boxes.push(box);
      target.card.style.left = `${Math.round(box.left)}px`;
      target.card.style.top = `${Math.round(box.top)}px`;
    }
  }
}
