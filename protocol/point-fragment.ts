/**
 * Point notes in W3C exports. A point note's stored selector is
 * `xywh=percent:X,Y,0,0` with X and Y in hundredths of a percent (`37.25`), which is
 * what the extension writes. Media Fragments URI 1.0 (section 4.2.2, `xywhparam`) allows
 * only integers (`1*DIGIT`) there, so an export writes the point as the 1% cell that holds
 * it, refined by the point's place inside that cell, both in whole percent:
 *
 *     { FragmentSelector "xywh=percent:37,80,1,1", refinedBy: FragmentSelector "xywh=percent:25,50,0,0" }
 *
 * Both values conform, a reader that ignores `refinedBy` still gets the point to 1%, and the
 * import turns it back into the stored value character for character. A point with whole
 * percents is written as it is, without `refinedBy`.
 */
import type { Selector } from './notes-schemas.js';

export const MEDIA_FRAGMENTS = 'http://www.w3.org/TR/media-frags/';

/** A Media Fragments selector as an export writes it. */
export interface W3CFragmentSelector {
  type: 'FragmentSelector';
  conformsTo: typeof MEDIA_FRAGMENTS;
  value: string;
  refinedBy?: W3CFragmentSelector;
}

type PointSelector = Extract<Selector, { type: 'FragmentSelector' }>;

/** The stored form: two numbers of percent with at most two decimals. */
const STORED = /^xywh=percent:(\d{1,3}(?:\.\d{1,2})?),(\d{1,3}(?:\.\d{1,2})?),0,0$/;
/** What an export writes, and what another tool may: whole numbers only (decimals read too, as older exports had them). */
const XYWH = /^xywh=percent:(\d{1,3}(?:\.\d+)?),(\d{1,3}(?:\.\d+)?),(\d{1,3}(?:\.\d+)?),(\d{1,3}(?:\.\d+)?)$/;

/** Hundredths of a percent, 0..10000, or null when out of range. */
const hundredths = (text: string): number | null => {
  const value = Math.round(Number(text) * 100);
  return value >= 0 && value <= 10_000 ? value : null;
};

const fragment = (value: string): W3CFragmentSelector => ({
  type: 'FragmentSelector',
  conformsTo: MEDIA_FRAGMENTS,
  value,
});

/** A stored point selector as Media Fragments allow it; anything else unchanged. */
export function pointToW3C(selector: PointSelector): W3CFragmentSelector | PointSelector {
  const match = STORED.exec(selector.value);
  const x = match ? hundredths(match[1]!) : null;
  const y = match ? hundredths(match[2]!) : null;
  if (x === null || y === null) return selector;
  if (x % 100 === 0 && y % 100 === 0) return fragment(`xywh=percent:${x / 100},${y / 100},0,0`);
  // 100% has no cell to its right: the last cell holds it, at 100% of that cell.
  const cell = (v: number) => Math.min(99, Math.floor(v / 100));
  const [cx, cy] = [cell(x), cell(y)];
  return {
    ...fragment(`xywh=percent:${cx},${cy},1,1`),
    refinedBy: fragment(`xywh=percent:${x - cx * 100},${y - cy * 100},0,0`),
  };
}

/**
 * A Media Fragments selector of an import as a stored point selector, or null when it is not
 * a point in percent (pixels need the page's size, a box is not a point).
 */
export function pointFromW3C(raw: unknown): PointSelector | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { type, conformsTo, value, refinedBy } = raw as Record<string, unknown>;
  if (type !== 'FragmentSelector' || conformsTo !== MEDIA_FRAGMENTS || typeof value !== 'string') return null;
  const outer = XYWH.exec(value);
  if (!outer) return null;
  const [x, y, w, h] = outer.slice(1).map(hundredths);
  if (x == null || y == null || w == null || h == null) return null;
  let px = x;
  let py = y;
  if (refinedBy !== undefined) {
    const inner = pointFromW3C(refinedBy);
    const match = inner && STORED.exec(inner.value);
    if (!match) return null;
    // Percent of the outer box, in hundredths of a percent of the page.
    px += Math.round((hundredths(match[1]!)! * w) / 10_000);
    py += Math.round((hundredths(match[2]!)! * h) / 10_000);
  } else if (w !== 0 || h !== 0) {
    return null;
  }
  if (px > 10_000 || py > 10_000) return null;
  return {
    type: 'FragmentSelector',
    conformsTo: MEDIA_FRAGMENTS,
    value: `xywh=percent:${px / 100},${py / 100},0,0`,
  };
}
