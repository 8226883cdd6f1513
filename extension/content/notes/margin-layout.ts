/**
 * Where note cards go, as a pure function of where their words are and how wide the
 * visible page is (no DOM here, so it is unit tested on numbers).
 *
 * - margin: right of the words' text block, level with the words, pushed down so cards
 *   never overlap, when a whole card fits in the visible width;
 * - bubble: otherwise a small bubble stands for the card, in the margin right of the block
 *   when a bubble fits there, else in the margin left of it, and only on a page with no
 *   margin at all at the visible right edge (over the ends of lines);
 * - below: the opened card of a bubble, under its words, inside the visible width.
 *
 * The width is the visible one (`documentElement.clientWidth`), not the page's scroll
 * width: on a page wider than the window a card fitted to the scroll width is drawn where
 * nobody sees it.
 */

export const CARD_WIDTH = 240;
/** Between a text block and its cards. */
export const CARD_GAP = 16;
export const BUBBLE_SIZE = 28;
/** Between a text block and a bubble. */
export const BUBBLE_GAP = 6;
/** Kept free at the visible edges. */
export const EDGE = 8;

export type CardMode = 'margin' | 'bubble' | 'below';

export interface LayoutItem {
  id: string;
  /** Document coordinates of the words (or the pin). */
  top: number;
  left: number;
  bottom: number;
  /** Left and right edges of the text block holding the words. */
  blockLeft: number;
  blockRight: number;
  /** Height of the item's card drawn as a card; read only for margin cards. */
  height: number;
}

export interface LayoutViewport {
  /** Visible width of the page in CSS pixels (without a vertical scroll bar). */
  width: number;
}

export interface CardPosition {
  id: string;
  mode: CardMode;
  left: number;
  top: number;
}

/** How an item is drawn: as a card in the margin when one fits in the visible width. */
export function cardMode(item: LayoutItem, viewport: LayoutViewport, open: boolean): CardMode {
  if (item.blockRight + CARD_GAP + CARD_WIDTH <= viewport.width - EDGE) return 'margin';
  return open ? 'below' : 'bubble';
}

/** The left edge of an item's bubble: in a margin of its block when there is one. */
function bubbleLeft(item: LayoutItem, viewport: LayoutViewport): number {
  const right = item.blockRight + BUBBLE_GAP;
  if (right + BUBBLE_SIZE <= viewport.width - EDGE / 2) return right;
  const left = item.blockLeft - BUBBLE_GAP - BUBBLE_SIZE;
  if (left >= EDGE / 2) return left;
  return Math.max(EDGE / 2, viewport.width - BUBBLE_SIZE - EDGE / 2);
}

/** Positions (document coordinates of the top-left corner) of every item's card or bubble. */
export function layoutCards(
  items: readonly LayoutItem[],
  viewport: LayoutViewport,
  openId: string | null,
): CardPosition[] {
  const sorted = [...items].sort((a, b) => a.top - b.top || a.left - b.left);
  let floor = 0;
  /** Bubbles sharing a column are stacked too: next free top per column. */
  const bubbleFloors = new Map<number, number>();
  const out: CardPosition[] = [];
  for (const item of sorted) {
    const mode = cardMode(item, viewport, item.id === openId);
    if (mode === 'margin') {
      const top = Math.max(item.top - 6, floor);
      out.push({ id: item.id, mode, left: Math.round(item.blockRight + CARD_GAP), top: Math.round(top) });
      floor = top + item.height + EDGE;
    } else if (mode === 'below') {
      const left = Math.max(EDGE, Math.min(item.left, viewport.width - CARD_WIDTH - EDGE));
      out.push({ id: item.id, mode, left: Math.round(left), top: Math.round(item.bottom + EDGE) });
    } else {
      const left = Math.round(bubbleLeft(item, viewport));
      const top = Math.max(item.top - 4, bubbleFloors.get(left) ?? 0);
      out.push({ id: item.id, mode, left, top: Math.round(top) });
      bubbleFloors.set(left, top + BUBBLE_SIZE + 4);
    }
  }
  return out;
}
