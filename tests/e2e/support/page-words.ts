/** Words on real pages, found by paragraph and offset so both users' windows name the same word. */
import type { Page } from 'playwright-core';
import type { Box } from './page-text.js';

export interface WordTarget {
  /** Index among the document's `p` elements, the word's character offset in it, the word. */
  paragraph: number;
  offset: number;
  word: string;
}

/** The `nth` word of 6+ letters in the long paragraph found at each fraction `at` of the page. */
export function pickTargets(page: Page, at: number[], nth: number): Promise<WordTarget[]> {
  return page.evaluate(
    ({ fractions, nth }) => {
      const all = [...document.querySelectorAll('p')];
      const long = all.filter((p) => (p.textContent ?? '').length > 160 && p.getClientRects().length > 0);
      return fractions.map((f) => {
        const p = long[Math.floor(f * (long.length - 1))]!;
        const words = [...(p.textContent ?? '').matchAll(/\b[A-Za-z]{6,}\b/g)];
        const match = words[Math.min(words.length - 1, nth)]!;
        return { paragraph: all.indexOf(p), offset: match.index, word: match[0] };
      });
    },
    { fractions: at, nth },
  );
}

/**
 * Scrolls the page so the word's top is at `viewportY` (CSS px from the viewport's top;
 * 'middle' for half the window's height) and returns the word's viewport box.
 */
export function scrollWordTo(page: Page, target: WordTarget, viewportY: number | 'middle'): Promise<Box> {
  return page.evaluate(
    ({ target: { paragraph, offset, word }, viewportY }) => {
      const p = document.querySelectorAll('p')[paragraph]!;
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        if (offset < seen + node.data.length) {
          const range = document.createRange();
          range.setStart(node, offset - seen);
          range.setEnd(node, Math.min(node.data.length, offset - seen + word.length));
          const y = viewportY === 'middle' ? window.innerHeight / 2 : viewportY;
          window.scrollBy(0, range.getBoundingClientRect().top - y);
          const r = range.getClientRects()[0]!;
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
        seen += node.data.length;
      }
      throw new Error(`word ${word} not found`);
    },
    { target, viewportY },
  );
}
