/**
 * Note anchoring with W3C Web Annotation selectors over a root's text content.
 * `describe(range, root)` makes a TextQuoteSelector (exact + up to 32 characters of
 * prefix and suffix) and a TextPositionSelector; `anchor(selectors, root)` finds the
 * words again: every occurrence of the quote is a candidate, ranked by how much of the
 * prefix/suffix matches and then by closeness to the recorded position. No occurrence,
 * or several with nothing to tell them apart, gives null (an orphan): a note is never
 * attached to words other than its quote. Pure DOM, no extension APIs.
 */
import { LIMITS, type Selector } from '../../../protocol/index.js';
import { buildTextIndex, offsetOfPoint, rangeFromOffsets, type TextIndex } from './text-index.js';

export { buildTextIndex, type TextIndex };

/** Characters of context kept on each side of the quote. */
export const CONTEXT_LENGTH = 32;

type QuoteSelector = Extract<Selector, { type: 'TextQuoteSelector' }>;
type PositionSelector = Extract<Selector, { type: 'TextPositionSelector' }>;

/**
 * Selectors for the words of `range` inside `root`. Leading and trailing whitespace is
 * trimmed and the quote is capped at the protocol's limit; an empty selection (or one
 * outside `root`) gives [].
 */
export function describe(range: Range, root: Node): Selector[] {
  if (!root.contains(range.commonAncestorContainer)) return [];
  const index = buildTextIndex(root);
  let start = offsetOfPoint(index, range.startContainer, range.startOffset);
  let end = offsetOfPoint(index, range.endContainer, range.endOffset);
  const text = index.text;
  while (start < end && /\s/.test(text.charAt(start))) start++;
  while (end > start && /\s/.test(text.charAt(end - 1))) end--;
  end = Math.min(end, start + LIMITS.quote);
  if (end <= start) return [];
  return [
    {
      type: 'TextQuoteSelector',
      exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT_LENGTH), start),
      suffix: text.slice(end, end + CONTEXT_LENGTH),
    },
    { type: 'TextPositionSelector', start, end },
  ];
}

/** How many characters of context around text[start, end) agree with the selector's. */
function contextScore(text: string, start: number, end: number, quote: QuoteSelector): number {
  const prefix = quote.prefix ?? '';
  const suffix = quote.suffix ?? '';
  let score = 0;
  for (let i = 1; i <= prefix.length && start - i >= 0; i++) {
    if (text[start - i] !== prefix[prefix.length - i]) break;
    score++;
  }
  for (let i = 0; i < suffix.length && end + i < text.length; i++) {
    if (text[end + i] !== suffix[i]) break;
    score++;
  }
  return score;
}

/** Enough for any real page; a quote found more often than this is too vague to place anyway. */
const MAX_CANDIDATES = 1000;

/** Start offset of the best occurrence of the quote, or null when it is absent or ambiguous. */
export function findQuote(text: string, quote: QuoteSelector, hint?: number): number | null {
  const { exact } = quote;
  const candidates: number[] = [];
  for (let at = text.indexOf(exact); at >= 0 && candidates.length < MAX_CANDIDATES;) {
    candidates.push(at);
    at = text.indexOf(exact, at + 1);
  }
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0] ?? null;
  let best: number | null = null;
  let bestScore = -1;
  let bestDistance = Infinity;
  for (const at of candidates) {
    const score = contextScore(text, at, at + exact.length, quote);
    const distance = hint === undefined ? 0 : Math.abs(at - hint);
    if (score > bestScore || (score === bestScore && distance < bestDistance)) {
      best = at;
      bestScore = score;
      bestDistance = distance;
    }
  }
  const hasContext = Boolean(quote.prefix || quote.suffix);
  // Several places and not one character of context agrees: we cannot tell which was meant.
  if (hasContext && bestScore === 0 && hint === undefined) return null;
  return best;
}

/**
 * The range the selectors describe in `root`, or null when the note is an orphan here.
 * Pass a prebuilt `index` of `root` to anchor many notes with one pass over the text.
 */
export function anchor(selectors: readonly Selector[], root: Node, index?: TextIndex): Range | null {
  const quote = selectors.find((s): s is QuoteSelector => s.type === 'TextQuoteSelector');
  const position = selectors.find((s): s is PositionSelector => s.type === 'TextPositionSelector');
  // Without the quote we could not check that a position still holds the same words.
  if (!quote) return null;
  index ??= buildTextIndex(root);
  const start = findQuote(index.text, quote, position?.start);
  if (start === null) return null;
  return rangeFromOffsets(index, start, start + quote.exact.length);
}
