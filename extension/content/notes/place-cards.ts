/**
 * Putting the cards where they go: measures every placed note (reads only, one forced
 * layout), picks each card's mode and reads the heights of the margin cards, computes the
 * positions with the pure margin layout, then writes them. Reads and writes are kept in
 * separate batches, so a pass costs two layouts whatever the number of notes.
 */
import { documentSize } from '../cursor-anchor.js';
import { cardMode, layoutCards, type LayoutItem } from './margin-layout.js';
import type { NoteAnchors, Target } from './note-anchors.js';

/** A note (or a pending new note) anchored on the page. */
export interface PlacedItem {
  id: string;
  target: Exclude<Target, { kind: 'orphan' }>;
  color: string;
}

/** Where an item was drawn at the last layout: clicks on highlighted words, jumps. */
export interface Placed {
  id: string;
  range: Range | null;
  top: number;
}

/** Where each element was put last: an unchanged position is not written again. */
const positions = new WeakMap<HTMLElement, string>();

function moveTo(element: HTMLElement, left: number, top: number): void {
  const at = `${left},${top}`;
  if (positions.get(element) === at) return;
  positions.set(element, at);
  element.style.left = `${left}px`;
  element.style.top = `${top}px`;
}

/** Lays out the cards, bubbles and pins of `layer`; `openId`'s card is drawn open. */
export function placeCards(
  doc: Document,
  layer: HTMLElement,
  anchors: NoteAnchors,
  items: readonly PlacedItem[],
  openId: string | null,
): Placed[] {
  const size = documentSize(doc);
  const viewport = { width: doc.documentElement.clientWidth || size.width };
  const elements = new Map<string, HTMLElement>();
  for (const child of layer.children) {
    const element = child as HTMLElement;
    const id =
      element.getAttribute('data-note-id') ??
      (element.hasAttribute('data-pending-op')
        ? `pending:${element.getAttribute('data-pending-op')}`
        : null) ??
      (element.hasAttribute('data-pin-for') ? `pin:${element.getAttribute('data-pin-for')}` : null);
    if (id) elements.set(id, element);
  }
  const measured: LayoutItem[] = [];
  const placed: Placed[] = [];
  const blocks = new Map<Element, DOMRect>();
  for (const item of items) {
    const at = anchors.measure(item.target, size, blocks);
    if (!at) continue;
    measured.push({ id: item.id, ...at, height: 0 });
    placed.push({
      id: item.id,
      range: item.target.kind === 'range' ? item.target.range : null,
      top: at.top,
    });
  }
  // Writes first (modes), then reads (heights): one layout, not one per card.
  const margin: Array<{ item: LayoutItem; card: HTMLElement }> = [];
  for (const item of measured) {
    const card = elements.get(item.id);
    if (!card) continue;
    const mode = cardMode(item, viewport, openId === item.id);
    card.classList.toggle('bubble', mode === 'bubble');
    card.classList.toggle('open', openId === item.id);
    if (mode === 'margin') margin.push({ item, card });
  }
  for (const { item, card } of margin) item.height = card.offsetHeight || 60;
  for (const position of layoutCards(measured, viewport, openId)) {
    const card = elements.get(position.id);
    if (card) moveTo(card, position.left, position.top);
  }
  for (const item of measured) {
    const pin = elements.get(`pin:${item.id}`);
    if (!pin) continue;
    moveTo(pin, Math.round(item.left), Math.round(item.top));
  }
  return placed;
}
