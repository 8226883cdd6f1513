/**
 * The colours a page paints its words in and behind them, read from computed styles, so
 * what we draw on the page itself (note highlights) is fitted to it: a dark page with
 * light text and a light page with dark text need different tints. Background images
 * are not looked at; the canvas under everything is white, or Chromium's dark canvas when
 * the page opts into a dark colour scheme.
 */
import { flatten, parseCssColor, type Rgb, type Rgba } from './contrast.js';

export interface PageColors {
  text: Rgb;
  background: Rgb;
}

const WHITE: Rgb = { r: 255, g: 255, b: 255 };
/** What Chromium paints under a page that asks for a dark colour scheme. */
const DARK_CANVAS: Rgb = { r: 18, g: 18, b: 18 };

/** The text colour of `element` and the opaque background its words are painted on. */
export function pageColors(element: Element): PageColors {
  const view = element.ownerDocument.defaultView;
  if (!view) return { text: { r: 0, g: 0, b: 0 }, background: WHITE };
  const layers: Rgba[] = [];
  for (let node: Element | null = element; node; node = node.parentElement) {
    const background = parseCssColor(view.getComputedStyle(node).backgroundColor);
    if (!background || background.a === 0) continue;
    layers.unshift(background);
    if (background.a >= 1) break;
  }
  const background = flatten(canvas(element.ownerDocument, view), layers);
  const text = parseCssColor(view.getComputedStyle(element).color) ?? { r: 0, g: 0, b: 0, a: 1 };
  return { text: flatten(background, [text]), background };
}

function canvas(doc: Document, view: Window): Rgb {
  const schemes = view.getComputedStyle(doc.documentElement).colorScheme;
  const meta = doc.querySelector('meta[name="color-scheme"]')?.getAttribute('content') ?? '';
  const declared = `${schemes} ${meta}`;
  if (!/\bdark\b/.test(declared)) return WHITE;
  const prefersDark = view.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  return prefersDark || !/\blight\b/.test(declared) ? DARK_CANVAS : WHITE;
}
