/**
 * The margin layout is a pure function: numbers in (where the words and their text block
 * are, card heights, the visible width), positions out.
 */
import { describe, expect, it } from 'vitest';
import {
  BUBBLE_SIZE,
  CARD_WIDTH,
  cardMode,
  layoutCards,
  type LayoutItem,
} from '../../../extension/content/notes/margin-layout.js';

const item = (id: string, over: Partial<LayoutItem> = {}): LayoutItem => ({
  id,
  top: 100,
  left: 40,
  bottom: 120,
  blockLeft: 20,
  blockRight: 600,
  height: 80,
  ...over,
});

const overlaps = (a: { left: number; right: number }, b: { left: number; right: number }) =>
  a.left < b.right && b.left < a.right;

describe('layoutCards', () => {
  it('puts cards in the margin right of the block, level with their words, stacked without overlap', () => {
    const items = [item('a', { top: 100 }), item('b', { top: 110 }), item('c', { top: 400 })];
    const out = layoutCards(items, { width: 1280 }, null);
    expect(out.map((p) => p.mode)).toEqual(['margin', 'margin', 'margin']);
    const [a, b, c] = out;
    expect(a).toMatchObject({ left: 616, top: 94 });
    // b's words are 10 px lower, but a's card is 80 px tall: b goes below it.
    expect(b!.top).toBeGreaterThanOrEqual(a!.top + 80);
    expect(c).toMatchObject({ top: 394 });
  });

  it('fits cards to the visible width, not the page scroll width: no card drawn off-screen', () => {
    // An 800 px window on a page 910 px wide; the text block ends at 740 (lwn-1 at 800 px).
    const words = item('a', { blockLeft: 10, blockRight: 740, left: 300 });
    expect(cardMode(words, { width: 785 }, false)).toBe('bubble');
    const [bubble] = layoutCards([words], { width: 785 }, null);
    expect(bubble!.mode).toBe('bubble');
    expect(bubble!.left + BUBBLE_SIZE).toBeLessThanOrEqual(785);
    const [open] = layoutCards([words], { width: 785 }, 'a');
    expect(open!.mode).toBe('below');
    expect(open!.left).toBeGreaterThanOrEqual(0);
    expect(open!.left + CARD_WIDTH).toBeLessThanOrEqual(785);
  });

  it('puts a bubble in a margin beside the text block, never over its lines when a margin exists', () => {
    const visible = { width: 800 };
    // Room on the right of the block (740 + 6 + 28 <= 796).
    const right = layoutCards([item('r', { blockLeft: 60, blockRight: 740 })], visible, null)[0]!;
    expect(overlaps({ left: right.left, right: right.left + BUBBLE_SIZE }, { left: 60, right: 740 })).toBe(
      false,
    );
    // No room on the right, some on the left.
    const left = layoutCards([item('l', { blockLeft: 60, blockRight: 790 })], visible, null)[0]!;
    expect(left.left + BUBBLE_SIZE).toBeLessThanOrEqual(60);
    expect(left.left).toBeGreaterThanOrEqual(0);
  });

  it('stacks bubbles of one column so they do not cover each other', () => {
    const out = layoutCards(
      [item('a', { top: 100, blockRight: 740 }), item('b', { top: 105, blockRight: 740 })],
      { width: 800 },
      null,
    );
    expect(out[1]!.top).toBeGreaterThanOrEqual(out[0]!.top + BUBBLE_SIZE);
  });
});
