/**
 * Finding a TextQuoteSelector's words in a page's text. Exact occurrences come first,
 * ranked by how well the recorded prefix and suffix agree with their surroundings and
 * then by closeness to the expected position. When no exact occurrence is convincing,
 * an approximate search (Myers' bit-parallel algorithm from `approx-string-match`)
 * looks near the expected position first and then in the whole text, with an error
 * budget proportional to the quote's length and capped. Every acceptance rule leans
 * towards "orphan": a weak or ambiguous match returns null, because a note on the
 * wrong words is worse than a note in the orphan list.
 */
import search from 'approx-string-match';

/** The quote part of a TextQuoteSelector. */
export interface Quote {
  exact: string;
  prefix?: string | undefined;
  suffix?: string | undefined;
}

/** Where a quote was found: offsets into the text, and how it was found. */
export interface QuoteMatch {
  start: number;
  end: number;
  /** Edits between the quote and the matched text (0 for an exact match). */
  errors: number;
  /** 0..1 agreement of the recorded prefix/suffix with the text around the match. */
  context: number;
}

/** An exact match needs at least this much context agreement to win among several. */
export const MIN_CONTEXT = 0.5;
/** An approximate match needs more: both its words and its surroundings must agree. */
export const MIN_FUZZY_CONTEXT = 0.75;
/** Quotes shorter than this are never matched approximately: too easy to hit other words. */
export const MIN_FUZZY_LENGTH = 12;
/** Error budget of the approximate search: this fraction of the quote's length ... */
export const MAX_ERROR_RATE = 0.2;
/** ... and never more than this many edits, which keeps the search fast on long quotes. */
export const MAX_ERRORS = 48;
/** A unique exact occurrence this long is trusted even when its surroundings changed. */
export const TRUSTED_UNIQUE_LENGTH = 24;
/** Characters either side of the expected position searched before the whole text. */
const NEAR_WINDOW = 4096;
/** A quote found more often than this is too vague to place anyway. */
const MAX_CANDIDATES = 1000;

/**
 * 1 minus the edit rate between `expected` and the best-aligned part of `actual`;
 * 1 when nothing was expected.
 */
function similarity(actual: string, expected: string): number {
  if (expected.length === 0) return 1;
  if (actual.length === 0) return 0;
  if (actual === expected) return 1;
  const matches = search(actual, expected, expected.length);
  const errors = matches.reduce((min, m) => Math.min(min, m.errors), expected.length);
  return 1 - errors / expected.length;
}

/** Agreement (0..1) of the quote's prefix and suffix with the text around [start, end). */
export function contextScore(text: string, start: number, end: number, quote: Quote): number {
  const prefix = quote.prefix ?? '';
  const suffix = quote.suffix ?? '';
  const total = prefix.length + suffix.length;
  if (total === 0) return 1;
  const before = text.slice(Math.max(0, start - prefix.length), start);
  const after = text.slice(end, end + suffix.length);
  // Context at the very start or end of the text is compared on what exists there.
  const prefixScore = prefix.length === 0 ? 0 : similarity(before, prefix) * prefix.length;
  const suffixScore = suffix.length === 0 ? 0 : similarity(after, suffix) * suffix.length;
  return (prefixScore + suffixScore) / total;
}

/** The error budget of an approximate search for `exact`. */
export function errorBudget(exact: string): number {
  return Math.min(MAX_ERRORS, Math.floor(exact.length * MAX_ERROR_RATE));
}

function exactOccurrences(text: string, exact: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(exact); at >= 0 && found.length < MAX_CANDIDATES;) {
    found.push(at);
    at = text.indexOf(exact, at + 1);
  }
  return found;
}

const distance = (match: { start: number }, hint: number | undefined): number =>
  hint === undefined ? 0 : Math.abs(match.start - hint);

/** Best of several scored matches: context first, then closeness to the hint. */
function rank(matches: QuoteMatch[], hint: number | undefined): QuoteMatch[] {
  return matches.sort((a, b) => b.context - a.context || distance(a, hint) - distance(b, hint));
}

/** The convincing exact occurrence, or null. */
function pickExact(text: string, quote: Quote, hint: number | undefined): QuoteMatch | null {
  const { exact } = quote;
  const starts = exactOccurrences(text, exact);
  if (starts.length === 0) return null;
  const hasContext = Boolean(quote.prefix || quote.suffix);
  const scored = rank(
    starts.map((start) => ({
      start,
      end: start + exact.length,
      errors: 0,
      context:
        starts.length === 1 && !hasContext ? 1 : contextScore(text, start, start + exact.length, quote),
    })),
    hint,
  );
  const [best, second] = scored;
  if (!best) return null;
  if (!second) {
    return best.context >= MIN_CONTEXT || !hasContext || exact.length >= TRUSTED_UNIQUE_LENGTH ? best : null;
  }
  if (!hasContext) return hint === undefined ? null : best;
  if (best.context < MIN_CONTEXT) return null;
  // Two places whose surroundings agree equally well: only the position can tell them
  // apart, and without one we refuse to guess.
  if (second.context === best.context && hint === undefined) return null;
  return best;
}

/** Approximate matches of the quote in text[from, to), scored. */
function fuzzyIn(text: string, from: number, to: number, quote: Quote): QuoteMatch[] {
  const slice = text.slice(from, to);
  const found = search(slice, quote.exact, errorBudget(quote.exact));
  const matches: QuoteMatch[] = [];
  let lastEnd = -1;
  for (const m of found) {
    // The search reports every end of a lowest-cost match; neighbours are the same place.
    if (m.start < lastEnd) continue;
    lastEnd = m.end;
    const start = from + m.start;
    const end = from + m.end;
    matches.push({ start, end, errors: m.errors, context: contextScore(text, start, end, quote) });
    if (matches.length >= MAX_CANDIDATES) break;
  }
  return matches;
}

/**
 * Moves the edges of an approximate match to where the recorded prefix ends and the
 * suffix begins, when those are found right next to it: the search's lowest-cost
 * alignment can swap an insertion for substitutions and cut words ("he US is" for
 * 'laws" in the US is'); the context says where the quoted passage really starts and ends.
 */
function fitToContext(text: string, match: QuoteMatch, quote: Quote): QuoteMatch {
  // An insertion inside the passage can move an edge by up to the whole error budget, twice over.
  const slack = 2 * errorBudget(quote.exact);
  const prefix = quote.prefix ?? '';
  const suffix = quote.suffix ?? '';
  let { start, end } = match;
  if (prefix.length >= 8) {
    const from = Math.max(0, start - prefix.length - slack);
    const found = search(text.slice(from, start + slack), prefix, Math.floor(prefix.length / 4));
    const edge = found.reduce<number | null>((best, m) => {
      const at = from + m.end;
      return best === null || Math.abs(at - start) < Math.abs(best - start) ? at : best;
    }, null);
    if (edge !== null && Math.abs(edge - start) <= slack && edge < end) start = edge;
  }
  if (suffix.length >= 8) {
    const from = Math.max(start, end - slack);
    const found = search(
      text.slice(from, end + suffix.length + slack),
      suffix,
      Math.floor(suffix.length / 4),
    );
    const edge = found.reduce<number | null>((best, m) => {
      const at = from + m.start;
      return best === null || Math.abs(at - end) < Math.abs(best - end) ? at : best;
    }, null);
    if (edge !== null && Math.abs(edge - end) <= slack && edge > start) end = edge;
  }
  while (start < end && text[start] === ' ') start++;
  while (end > start && text[end - 1] === ' ') end--;
  return { ...match, start, end };
}

/** The convincing approximate match among `matches`, or null. */
function pickFuzzy(matches: QuoteMatch[], hint: number | undefined): QuoteMatch | null {
  const [best, second] = rank(matches, hint);
  if (!best || best.context < MIN_FUZZY_CONTEXT) return null;
  // An equally good approximate match elsewhere: ambiguous, so an orphan.
  if (second && second.context >= best.context - 0.05) return null;
  return best;
}

/**
 * The quote's words in `text`, or null when they are absent, ambiguous or only weakly
 * similar. `hint` is where the words were expected to start (from a position selector).
 */
export function findQuote(text: string, quote: Quote, hint?: number): QuoteMatch | null {
  const exact = pickExact(text, quote, hint);
  if (exact) return exact;
  if (quote.exact.length < MIN_FUZZY_LENGTH || errorBudget(quote.exact) === 0) return null;
  if (hint !== undefined && text.length > 2 * NEAR_WINDOW + quote.exact.length) {
    const from = Math.max(0, hint - NEAR_WINDOW);
    const to = Math.min(text.length, hint + quote.exact.length + NEAR_WINDOW);
    const near = pickFuzzy(fuzzyIn(text, from, to, quote), hint);
    // Accepted only with near-perfect surroundings; otherwise a better place may exist further away.
    if (near && near.context >= 0.9) return fitToContext(text, near, quote);
  }
  const found = pickFuzzy(fuzzyIn(text, 0, text.length, quote), hint);
  return found && fitToContext(text, found, quote);
}
