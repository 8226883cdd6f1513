/**
 * Where each note is on the page, remembered. A note's selectors are anchored once (one
 * text index of the page, built when first needed) and the result kept until the note's
 * selectors change or the page's text changes; measuring where anchored words are drawn
 * is cheap and done on every layout. Point notes (`xywh=percent:` fragments) are placed
 * at that fraction of the page's scroll size.
 */
import type { Selector } from '../../../protocol/index.js';
import { anchor, buildTextIndex, type TextIndex } from '../anchoring/index.js';
import { closestTextBlock } from '../anchoring/text-blocks.js';

export type Target =
  | { kind: 'range'; range: Range; block: Element | null }
  | { kind: 'point'; x: number; y: number }
  | { kind: 'orphan' };

/**
 * Document order of two placed notes (the panel lists notes as they come in the text, so
 * arrowing through it follows the page): words by where they start, then points from the top.
 */
export function compareTargets(
  a: Exclude<Target, { kind: 'orphan' }>,
  b: Exclude<Target, { kind: 'orphan' }>,
): number {
  if (a.kind === 'range' && b.kind === 'range')
    return a.range.compareBoundaryPoints(Range.START_TO_START, b.range);
  if (a.kind === 'range') return -1;
  if (b.kind === 'range') return 1;
  return a.y - b.y;
}

/** Where a note is drawn, in document coordinates. */
export interface Placement {
  top: number;
  left: number;
  bottom: number;
  blockLeft: number;
  blockRight: number;
}

/** `xywh=percent:x,y,0,0` of a point note, as fractions; null when the note is not one. */
export function pointOf(selectors: readonly Selector[]): { x: number; y: number } | null {
  if (selectors.some((s) => s.type === 'TextQuoteSelector')) return null;
  const fragment = selectors.find((s) => s.type === 'FragmentSelector');
  const match = fragment && /^xywh=percent:([\d.]+),([\d.]+),0,0$/.exec(fragment.value);
  if (!match) return null;
  const x = Number(match[1]) / 100;
  const y = Number(match[2]) / 100;
  return x >= 0 && x <= 1 && y >= 0 && y <= 1 ? { x, y } : null;
}

/** The point selector for a place in the document (fractions of its scroll size, as percent). */
export function pointSelector(x: number, y: number): Selector {
  const pct = (v: number) => String(Math.round(Math.min(1, Math.max(0, v)) * 10000) / 100);
  return {
    type: 'FragmentSelector',
    conformsTo: 'http://www.w3.org/TR/media-frags/',
    value: `xywh=percent:${pct(x)},${pct(y)},0,0`,
  };
}

export function quoteOf(selectors: readonly Selector[]): string | null {
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  return quote?.type === 'TextQuoteSelector' ? quote.exact : null;
}

export class NoteAnchors {
  private index: TextIndex | null = null;
  private readonly cache = new Map<string, { key: string; target: Target }>();
  /** The key of a selectors array seen before (a stored note keeps its array). */
  private readonly keys = new WeakMap<readonly Selector[], string>();

  constructor(private readonly doc: Document) {}

  /** The page's text changed: anchor new notes on a fresh index; keep the others until {@link reanchorAll}. */
  textChanged(): void {
    this.index = null;
  }

  /** The page settled after changes: every note is anchored again on next use. */
  reanchorAll(): void {
    this.index = null;
    this.cache.clear();
  }

  /** Where the note `id` with these selectors is; anchored only when not known yet. */
  resolve(id: string, selectors: readonly Selector[]): Target {
    let key = this.keys.get(selectors);
    if (key === undefined) {
      key = JSON.stringify(selectors);
      this.keys.set(selectors, key);
    }
    const known = this.cache.get(id);
    if (known?.key === key) return known.target;
    const target = this.anchorNow(selectors);
    this.cache.set(id, { key, target });
    return target;
  }

  /** Forgets the notes not in `ids` (deleted, or the room changed). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.cache.keys()) if (!ids.has(id)) this.cache.delete(id);
  }

  private anchorNow(selectors: readonly Selector[]): Target {
    const point = pointOf(selectors);
    if (point) return { kind: 'point', ...point };
    const body = this.doc.body;
    if (!body || selectors.length === 0) return { kind: 'orphan' };
    this.index ??= buildTextIndex(body);
    const range = anchor(selectors, body, this.index);
    if (!range) return { kind: 'orphan' };
    return { kind: 'range', range, block: closestTextBlock(range.startContainer) };
  }

  /**
   * Where a target is drawn now (call in one batch of reads: the first forces a layout).
   * `blocks` keeps the boxes of text blocks read in this batch: many notes share one.
   */
  measure(
    target: Target,
    size: { width: number; height: number },
    blocks: Map<Element, DOMRect> = new Map(),
  ): Placement | null {
    if (target.kind === 'orphan') return null;
    const view = this.doc.defaultView;
    if (target.kind === 'point') {
      const left = target.x * size.width;
      const top = target.y * size.height;
      return { top, left, bottom: top, blockLeft: left, blockRight: left + 12 };
    }
    const scrollX = view?.scrollX ?? 0;
    const scrollY = view?.scrollY ?? 0;
    const rects = target.range.getClientRects();
    const first = rects[0] ?? target.range.getBoundingClientRect();
    const last = rects[rects.length - 1] ?? first;
    let block: DOMRect | null = null;
    if (target.block?.isConnected) {
      block = blocks.get(target.block) ?? target.block.getBoundingClientRect();
      blocks.set(target.block, block);
    }
    return {
      top: first.top + scrollY,
      left: first.left + scrollX,
      bottom: last.bottom + scrollY,
      blockLeft: Math.min(first.left, block ? block.left : first.left) + scrollX,
      blockRight: Math.max(last.right, block ? block.right : last.right) + scrollX,
    };
  }
}
