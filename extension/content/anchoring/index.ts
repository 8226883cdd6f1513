/**
 * Note anchoring with W3C Web Annotation selectors over a root's page text (see
 * text-index.ts for what "page text" is). `describe(range, root)` records three
 * selectors for the words of a range:
 * - TextQuoteSelector: the words, with up to 32 characters of prefix and suffix;
 * - TextPositionSelector: their offsets in the root's page text;
 * - CssSelector refinedBy TextPositionSelector: the nearest element holding them (a CSS
 *   path from a stable id or `body`, css-path.ts) and their offsets inside that element.
 * `anchor(selectors, root)` tries the range selector, then the position, each accepted
 * only when the text there is the quote and its surroundings agree; then searches for
 * the quote (exact, then approximate; match-quote.ts). Anything weak or ambiguous gives
 * null, an orphan: a note is never attached to other words. Pure DOM, no extension APIs.
 */
import { LIMITS, type Selector } from '../../../protocol/index.js';
import { cssPath, elementOf, resolveCssPath } from './css-path.js';
import { MIN_CONTEXT, contextScore, findQuote, type QuoteMatch } from './match-quote.js';
import {
  buildTextIndex,
  offsetOfPoint,
  offsetsOfRange,
  rangeFromOffsets,
  type TextIndex,
} from './text-index.js';

export { buildTextIndex, offsetsOfRange, rangeFromOffsets, type TextIndex };
export { findQuote, type QuoteMatch } from './match-quote.js';
export { OVERLAY_ROOT_ATTRIBUTE } from './text-index.js';
export { observeChanges, type ObserveOptions } from './watch-mutations.js';

/** Characters of context kept on each side of the quote. */
export const CONTEXT_LENGTH = 32;

type QuoteSelector = Extract<Selector, { type: 'TextQuoteSelector' }>;
type PositionSelector = Extract<Selector, { type: 'TextPositionSelector' }>;
type RangeSelector = Extract<Selector, { type: 'CssSelector' }>;

const isSpace = (ch: string): boolean => ch === ' ';

/** Offset of the start of `element`'s page text in the index. */
function elementStart(index: TextIndex, element: Element): number {
  return offsetOfPoint(index, element, 0);
}

/** The range selector for text[start, end): nearest element holding it, refined by offsets. */
function describeElement(index: TextIndex, range: Range, start: number, end: number): RangeSelector | null {
  let element = elementOf(range.commonAncestorContainer);
  while (element && element !== index.root && element.contains(index.root) === false) {
    const path = cssPath(element);
    const base = elementStart(index, element);
    if (path && base <= start) {
      return {
        type: 'CssSelector',
        value: path,
        refinedBy: { type: 'TextPositionSelector', start: start - base, end: end - base },
      };
    }
    element = element.parentElement;
  }
  return null;
}

/**
 * Selectors for the words of `range` inside `root`: quote, position and range. Leading
 * and trailing whitespace is trimmed and the quote is capped at the protocol's limit;
 * an empty selection (or one outside `root`) gives []. Pass a prebuilt `index` of
 * `root` to describe many ranges with one pass over the text.
 */
export function describe(range: Range, root: Node, index?: TextIndex): Selector[] {
  if (!root.contains(range.commonAncestorContainer)) return [];
  index ??= buildTextIndex(root);
  let { start, end } = offsetsOfRange(index, range);
  const text = index.text;
  while (start < end && isSpace(text.charAt(start))) start++;
  while (end > start && isSpace(text.charAt(end - 1))) end--;
  end = Math.min(end, start + LIMITS.quote);
  if (end <= start) return [];
  const selectors: Selector[] = [
    {
      type: 'TextQuoteSelector',
      exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT_LENGTH), start),
      suffix: text.slice(end, end + CONTEXT_LENGTH),
    },
    { type: 'TextPositionSelector', start, end },
  ];
  const element = describeElement(index, range, start, end);
  if (element) selectors.push(element);
  return selectors;
}

/** A candidate from a range or position selector, if the quote is there and its surroundings agree. */
function checked(index: TextIndex, quote: QuoteSelector, start: number, end: number): QuoteMatch | null {
  if (start < 0 || end > index.text.length || index.text.slice(start, end) !== quote.exact) return null;
  const context = contextScore(index.text, start, end, quote);
  return context >= MIN_CONTEXT ? { start, end, errors: 0, context } : null;
}

/** Where the range selector puts the words (start offset), or null when its element is gone. */
function rangeSelectorStart(index: TextIndex, selector: RangeSelector): number | null {
  if (!selector.refinedBy) return null;
  const element = resolveCssPath(index.root, selector.value);
  return element ? elementStart(index, element) + selector.refinedBy.start : null;
}

/**
 * Where the selectors' words are in `root`'s page text, or null for an orphan. Order:
 * range selector, position selector (each checked against the quote and its context),
 * then exact and approximate quote search near the expected position.
 */
export function locate(selectors: readonly Selector[], root: Node, index?: TextIndex): QuoteMatch | null {
  const quote = selectors.find((s): s is QuoteSelector => s.type === 'TextQuoteSelector');
  // Without the quote we could not check that a range or position still holds the same words.
  if (!quote) return null;
  const position = selectors.find((s): s is PositionSelector => s.type === 'TextPositionSelector');
  const rangeSelector = selectors.find((s): s is RangeSelector => s.type === 'CssSelector');
  index ??= buildTextIndex(root);
  const length = quote.exact.length;
  let hint: number | undefined;
  if (rangeSelector) {
    const start = rangeSelectorStart(index, rangeSelector);
    if (start !== null) {
      const found = checked(index, quote, start, start + length);
      if (found) return found;
      hint = start;
    }
  }
  if (position) {
    const found = checked(index, quote, position.start, position.start + length);
    if (found) return found;
    hint ??= position.start;
  }
  return findQuote(index.text, quote, hint);
}

/**
 * The range the selectors describe in `root`, or null when the note is an orphan here.
 * Pass a prebuilt `index` of `root` to anchor many notes with one pass over the text.
 */
export function anchor(selectors: readonly Selector[], root: Node, index?: TextIndex): Range | null {
  index ??= buildTextIndex(root);
  const found = locate(selectors, root, index);
  return found ? rangeFromOffsets(index, found.start, found.end) : null;
}
