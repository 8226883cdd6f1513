/** Helpers that find words on a test page, in viewport coordinates. */
import type { Page } from 'playwright-core';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The viewport box of the first occurrence of `word` inside the element matching `selector`. */
export async function wordBox(page: Page, selector: string, word: string): Promise<Box> {
  return page.evaluate(wordBoxInPage, [selector, word] as const);
}

/** Runs in the page (any driver's `evaluate`): the box of `word` in the element `selector`. */
export function wordBoxInPage([sel, w]: readonly [string, string]): Box {
  const root = document.querySelector(sel);
  if (!root) throw new Error(`no element ${sel}`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(w);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + w.length);
    const r = range.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }
  throw new Error(`no word ${w} in ${sel}`);
}

export const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
