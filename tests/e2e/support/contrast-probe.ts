/**
 * What the browser paints, as contrast ratios: for every piece of visible text under an
 * element (DOM text, or the overlay's generated content, overlay-text.ts) the computed
 * text colour and every background behind it, from the element up through the overlay's
 * closed root and on into the page at that point, flattened over the canvas
 * (extension/content/contrast.ts does the arithmetic). Background images and opacity of
 * ancestors are not counted; tests keep both out of the way.
 */
import type { Page } from 'playwright-core';
import { contrast, flatten, parseCssColor, type Rgb } from '../../../extension/content/contrast.js';
import type { OverlayLocator } from './overlay-probe.js';

/** One visible text as painted. */
export interface PaintedText {
  /** `tag.class` of the element and the first characters of its text. */
  what: string;
  color: string;
  /** Backgrounds from the outermost (the page's root) to the element itself. */
  layers: string[];
}

export interface MeasuredText {
  what: string;
  ratio: number;
}

/**
 * Runs in the page on `root` (sent as source text: self-contained). Every element with
 * visible text at or under `root`, with its colour and the backgrounds behind it.
 */
function collectInPage(root: Element): PaintedText[] {
  const out: PaintedText[] = [];
  const hasText = (el: Element): boolean =>
    el.hasAttribute('data-text') ||
    [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
  const visible = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const backgroundsUp = (from: Element | null, stopAt: Element | null): string[] => {
    const list: string[] = [];
    for (let el = from; el && el !== stopAt; el = el.parentElement) {
      list.unshift(getComputedStyle(el).backgroundColor);
    }
    return list;
  };
  const elements = [root, ...root.querySelectorAll('*')].filter((el) => hasText(el) && visible(el));
  for (const el of elements) {
    const style = el.hasAttribute('data-text') ? getComputedStyle(el, '::before') : getComputedStyle(el);
    const inShadow = el.getRootNode() instanceof ShadowRoot;
    let page: string[] = [];
    if (inShadow) {
      // The page under the element's middle, ignoring our own host.
      const host = (el.getRootNode() as ShadowRoot).host;
      const r = el.getBoundingClientRect();
      const under = document
        .elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2)
        .find((e) => e !== host && !host.contains(e));
      page = backgroundsUp(under ?? document.documentElement, null);
    }
    const own = backgroundsUp(el, null);
    const text = (el.getAttribute('data-text') ?? el.textContent ?? '').trim().slice(0, 24);
    out.push({
      what: `${el.localName}.${[...el.classList].join('.')} "${text}"`,
      color: style.color,
      layers: [...page, ...own],
    });
  }
  return out;
}

/** The contrast ratio of one painted text over the white canvas. */
export function ratioOf(painted: PaintedText, canvas: Rgb = { r: 255, g: 255, b: 255 }): number {
  const parse = (value: string) => {
    const color = parseCssColor(value);
    if (!color) throw new Error(`cannot read the colour ${value} of ${painted.what}`);
    return color;
  };
  const background = flatten(canvas, painted.layers.map(parse));
  return contrast(flatten(background, [parse(painted.color)]), background);
}

const measure = (painted: PaintedText[]): MeasuredText[] =>
  painted.map((p) => ({ what: p.what, ratio: ratioOf(p) }));

/** Every visible text in an element of the overlay, with its contrast on what is behind it. */
export async function overlayTexts(element: OverlayLocator): Promise<MeasuredText[]> {
  return measure(await element.evaluate(collectInPage, null));
}

/** Every visible text of an ordinary page (the popup), with its contrast. */
export async function pageTexts(page: Page, selector = 'body'): Promise<MeasuredText[]> {
  return measure(await page.locator(selector).evaluate(collectInPage));
}

/** The lowest ratio of a list, with what it was measured on (for assertion messages). */
export function lowest(texts: readonly MeasuredText[]): MeasuredText {
  if (texts.length === 0) throw new Error('no visible text measured');
  return texts.reduce((low, t) => (t.ratio < low.ratio ? t : low));
}

/** Runs in the page on a mark of ours: its fill, its crisp rings (box-shadows without blur) and the page behind it. */
function edgeInPage(mark: Element): { fill: string; shadow: string; page: string[] } {
  const host = (mark.getRootNode() as ShadowRoot).host;
  const r = mark.getBoundingClientRect();
  // Just outside the mark's left edge: the page it must stand out from.
  const under = document
    .elementsFromPoint(Math.max(0, r.left - 4), r.top + r.height / 2)
    .find((e) => e !== host && !host.contains(e));
  const page: string[] = [];
  for (let el: Element | null = under ?? document.documentElement; el; el = el.parentElement)
    page.unshift(getComputedStyle(el).backgroundColor);
  const style = getComputedStyle(mark);
  return { fill: style.backgroundColor, shadow: style.boxShadow, page };
}

/**
 * How well a mark (a bubble, a pin) stands out from the page around it: the highest
 * contrast against the page of its fill or of one of its crisp rings.
 */
export async function edgeContrast(mark: OverlayLocator): Promise<number> {
  const painted = await mark.evaluate(edgeInPage, null);
  const read = (value: string) => {
    const color = parseCssColor(value);
    if (!color) throw new Error(`cannot read the colour ${value}`);
    return color;
  };
  const page = flatten({ r: 255, g: 255, b: 255 }, painted.page.map(read));
  const rings = [...painted.shadow.matchAll(/(rgba?\([^)]*\)) 0px 0px 0px ([\d.]+)px/g)]
    .filter((m) => parseFloat(m[2]!) > 0)
    .map((m) => m[1]!);
  return Math.max(...[painted.fill, ...rings].map((c) => contrast(flatten(page, [read(c)]), page)));
}
