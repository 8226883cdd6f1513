/**
 * Anchoring benchmark core: for each page folder (`source.html` + `expected.html`),
 * picks quotes deterministically from the source page's article text, describes them
 * there with the real `describe`, anchors them in the rewritten page with the real
 * `anchor`, and judges every result against an independent notion of "the same words
 * in the same place". Pages are parsed with happy-dom (scripts off, nothing fetched).
 *
 * Quote rule: the article blocks of source.html are its innermost `p`, `li`,
 * `blockquote`, `dd`, `figcaption`, `h2`-`h4`, `pre` elements outside `nav`, `header`,
 * `footer`, `aside` and `form`, with at least 8 words. A PRNG seeded from the page's
 * folder name picks a word uniformly among all words of those blocks and a length of
 * 3-12 words; the span is the words from there, cut at the block's end (and moved back
 * to fit when the block is shorter). Duplicate spans are drawn again.
 *
 * Judging ("page text" as in the anchoring module: whitespace-normalised):
 * - eligible: the quote's exact text occurs in expected.html's page text;
 * - reattached: the anchored range's text is the quote and it is the occurrence that
 *   corresponds to the original. That occurrence is decided with far more context than
 *   the anchorer has (it keeps 32 characters each side): the occurrence whose 400
 *   characters either side agree longest with the source's, character by character
 *   outward from the quote. Occurrences tied even then are indistinguishable copies;
 *   any of them counts;
 * - orphaned: no range; wrong: any other range (other words, or another occurrence).
 * Quotes whose text is gone are reported apart: orphaned (right) or attached
 * approximately, which counts as wrong unless the match lies between the places where
 * the source's 24 characters before and after the quote occur (each exactly once) in
 * expected.html: the same passage, edited.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Window, type Document as HappyDocument } from 'happy-dom';
import type { Selector } from '../../protocol/index.js';
import { prng } from '../support/prng.js';

/** What the benchmark needs of the anchoring module, with DOM types left opaque. */
export interface AnchoringApi<TNode, TRange, TIndex extends { text: string }> {
  buildTextIndex(root: TNode): TIndex;
  rangeFromOffsets(index: TIndex, start: number, end: number): TRange | null;
  offsetsOfRange(index: TIndex, range: TRange): { start: number; end: number };
  describe(range: TRange, root: TNode, index?: TIndex): Selector[];
  anchor(selectors: readonly Selector[], root: TNode, index?: TIndex): TRange | null;
}

export interface PageResult {
  page: string;
  quotes: number;
  eligible: number;
  reattached: number;
  orphaned: number;
  wrong: number;
  /** Quotes whose text is gone from expected.html. */
  gone: number;
  goneOrphaned: number;
  goneAttached: number;
  /** Quotes with several occurrences in expected.html that even 400 characters of context cannot tell apart. */
  indistinguishable: number;
  anchorMs: number;
  indexMs: number;
  /** Details of every wrong result, for inspection. */
  failures: { quote: string; found: string | null; kind: 'wrong' | 'orphaned' }[];
}

export interface Totals {
  pages: number;
  eligible: number;
  reattached: number;
  orphaned: number;
  wrong: number;
  msPerAnchor: number;
}

export interface BenchOptions {
  /** Quotes per page; default 100. */
  quotes?: number;
  /** Mixed into every page's seed; default 1. */
  seed?: number;
}

const BLOCK_SELECTOR = 'p, li, blockquote, dd, figcaption, h2, h3, h4, pre';
const OUTSIDE_ARTICLE = 'nav, header, footer, aside, form';
const MIN_BLOCK_WORDS = 8;
const MIN_QUOTE_WORDS = 3;
const MAX_QUOTE_WORDS = 12;
const JUDGE_CONTEXT = 400;
const PASSAGE_CONTEXT = 24;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * A window holding the parsed page: scripts are not run (happy-dom's default) and
 * nothing is fetched. Each page gets its own window: ranges in documents made by
 * happy-dom's DOMParser compare boundary points wrongly, those of `window.document` do not.
 */
function load(html: string): Window {
  const window = new Window({
    url: 'https://example.org/',
    settings: {
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      disableComputedStyleRendering: true,
      handleDisabledFileLoadingAsSuccess: true,
      navigation: {
        disableMainFrameNavigation: true,
        disableChildFrameNavigation: true,
        disableChildPageNavigation: true,
        disableFallbackToSetURL: true,
      },
    },
  });
  window.document.write(html);
  return window;
}

/** Characters of agreement between two contexts, walking outward from the quote. */
function agreement(
  text: string,
  start: number,
  end: number,
  other: string,
  otherStart: number,
  otherEnd: number,
): number {
  let score = 0;
  for (let i = 1; i <= JUDGE_CONTEXT && start - i >= 0 && otherStart - i >= 0; i++) {
    if (text[start - i] !== other[otherStart - i]) break;
    score++;
  }
  for (let i = 0; i < JUDGE_CONTEXT && end + i < text.length && otherEnd + i < other.length; i++) {
    if (text[end + i] !== other[otherEnd + i]) break;
    score++;
  }
  return score;
}

/**
 * Whether `at` is the source's passage, edited: it must start right after the unique
 * place of the source's text just before `span` and end right before the unique place
 * of the text just after it (within the quote's length); a side whose text is not
 * found exactly once is not checked, and at least one side must be.
 */
function samePassage(source: string, span: Span, expected: string, at: Span): boolean {
  const length = span.end - span.start;
  const before = source.slice(Math.max(0, span.start - PASSAGE_CONTEXT), span.start);
  const after = source.slice(span.end, span.end + PASSAGE_CONTEXT);
  const befores = occurrences(expected, before);
  const afters = occurrences(expected, after);
  let checkedSides = 0;
  if (before.length === PASSAGE_CONTEXT && befores.length === 1) {
    const from = (befores[0] ?? 0) + before.length;
    if (at.start < from || at.start - from > length) return false;
    checkedSides++;
  }
  if (after.length === PASSAGE_CONTEXT && afters.length === 1) {
    const to = afters[0] ?? 0;
    if (at.end > to || to - at.end > length) return false;
    checkedSides++;
  }
  return checkedSides > 0;
}

function occurrences(text: string, exact: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(exact); at >= 0; at = text.indexOf(exact, at + 1)) found.push(at);
  return found;
}

interface Span {
  start: number;
  end: number;
}

/** Word spans of the article text of a parsed source page (see the module comment). */
function pickQuotes<TIndex extends { text: string }, TRange>(
  doc: HappyDocument,
  index: TIndex,
  offsetsOf: (range: TRange) => Span,
  count: number,
  seed: number,
): Span[] {
  const blocks = [...doc.querySelectorAll(BLOCK_SELECTOR)].filter(
    (el) => !el.closest(OUTSIDE_ARTICLE) && !el.querySelector(BLOCK_SELECTOR),
  );
  const words: { start: number; end: number; block: number }[] = [];
  const blockWords: Span[] = []; // first and last+1 word index of each block
  for (const block of blocks) {
    const range = doc.createRange();
    range.selectNodeContents(block);
    const { start, end } = offsetsOf(range as unknown as TRange);
    const text = index.text.slice(start, end);
    const first = words.length;
    for (const m of text.matchAll(/\S+/g)) {
      words.push({ start: start + m.index, end: start + m.index + m[0].length, block: blockWords.length });
    }
    if (words.length - first < MIN_BLOCK_WORDS) {
      words.length = first;
      continue;
    }
    blockWords.push({ start: first, end: words.length });
  }
  const random = prng(seed);
  const spans = new Map<string, Span>();
  for (let attempt = 0; spans.size < count && attempt < count * 20 && words.length > 0; attempt++) {
    const at = Math.floor(random() * words.length);
    const length = MIN_QUOTE_WORDS + Math.floor(random() * (MAX_QUOTE_WORDS - MIN_QUOTE_WORDS + 1));
    const word = words[at];
    const block = word && blockWords[word.block];
    if (!block) continue;
    const last = Math.min(block.end, at + length) - 1;
    const first = Math.max(block.start, last - length + 1);
    const span = { start: words[first]?.start ?? 0, end: words[last]?.end ?? 0 };
    spans.set(`${span.start}:${span.end}`, span);
  }
  return [...spans.values()];
}

/** Runs the benchmark on one page folder. */
export async function benchPage<TNode, TRange, TIndex extends { text: string }>(
  dir: string,
  api: AnchoringApi<TNode, TRange, TIndex>,
  options: BenchOptions = {},
): Promise<PageResult> {
  const page = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  const [sourceHtml, expectedHtml] = await Promise.all([
    readFile(join(dir, 'source.html'), 'utf8'),
    readFile(join(dir, 'expected.html'), 'utf8'),
  ]);
  const sourceWindow = load(sourceHtml);
  const expectedWindow = load(expectedHtml);
  try {
    const source = sourceWindow.document;
    const expected = expectedWindow.document;
    // happy-dom implements the DOM the module expects; its classes are just not lib.dom's types.
    const sourceRoot = source.body as unknown as TNode;
    const expectedRoot = expected.body as unknown as TNode;
    const sourceIndex = api.buildTextIndex(sourceRoot);
    const indexStarted = performance.now();
    const expectedIndex = api.buildTextIndex(expectedRoot);
    const indexMs = performance.now() - indexStarted;
    const sourceText = sourceIndex.text;
    const expectedText = expectedIndex.text;

    const spans = pickQuotes(
      source,
      sourceIndex,
      (range: TRange) => api.offsetsOfRange(sourceIndex, range),
      options.quotes ?? 100,
      hash(page) ^ (options.seed ?? 1),
    );
    const result: PageResult = {
      page,
      quotes: 0,
      eligible: 0,
      reattached: 0,
      orphaned: 0,
      wrong: 0,
      gone: 0,
      goneOrphaned: 0,
      goneAttached: 0,
      indistinguishable: 0,
      anchorMs: 0,
      indexMs,
      failures: [],
    };
    for (const span of spans) {
      const range = api.rangeFromOffsets(sourceIndex, span.start, span.end);
      if (!range) continue;
      const selectors = api.describe(range, sourceRoot, sourceIndex);
      const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
      if (quote?.type !== 'TextQuoteSelector') continue;
      const exact = quote.exact;
      result.quotes++;

      const started = performance.now();
      const anchored = api.anchor(selectors, expectedRoot, expectedIndex);
      result.anchorMs += performance.now() - started;
      const at = anchored ? api.offsetsOfRange(expectedIndex, anchored) : null;
      const found = at ? expectedText.slice(at.start, at.end) : null;

      const candidates = occurrences(expectedText, exact);
      if (candidates.length === 0) {
        result.gone++;
        if (!at) {
          result.goneOrphaned++;
        } else {
          result.goneAttached++;
          if (!samePassage(sourceText, span, expectedText, at)) {
            result.wrong++;
            result.failures.push({ quote: exact, found, kind: 'wrong' });
          }
        }
        continue;
      }
      result.eligible++;
      const scores = candidates.map((c) =>
        agreement(sourceText, span.start, span.end, expectedText, c, c + exact.length),
      );
      const best = Math.max(...scores);
      const truth = candidates.filter((_, i) => scores[i] === best);
      if (truth.length > 1) result.indistinguishable++;
      if (!at) {
        result.orphaned++;
        result.failures.push({ quote: exact, found: null, kind: 'orphaned' });
      } else if (found === exact && truth.includes(at.start)) {
        result.reattached++;
      } else {
        result.wrong++;
        result.failures.push({ quote: exact, found, kind: 'wrong' });
      }
    }
    return result;
  } finally {
    await Promise.all([sourceWindow.happyDOM.close(), expectedWindow.happyDOM.close()]);
  }
}

/** Folders of `root` (recursively) that hold both source.html and expected.html, sorted. */
export async function findPages(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    if (names.has('source.html') && names.has('expected.html')) found.push(dir);
    for (const entry of entries) if (entry.isDirectory()) await walk(join(dir, entry.name));
  };
  if (!(await stat(root)).isDirectory()) throw new Error(`not a directory: ${root}`);
  await walk(root);
  return found.sort();
}

/** Sums page results; `wrong` includes approximate attachments where the text is gone. */
export function totals(results: readonly PageResult[]): Totals {
  const sum = (key: 'eligible' | 'reattached' | 'orphaned' | 'wrong' | 'quotes'): number =>
    results.reduce((total, r) => total + r[key], 0);
  const anchorMs = results.reduce((total, r) => total + r.anchorMs, 0);
  const quotes = sum('quotes');
  return {
    pages: results.length,
    eligible: sum('eligible'),
    reattached: sum('reattached'),
    orphaned: sum('orphaned'),
    wrong: sum('wrong'),
    msPerAnchor: quotes === 0 ? 0 : Math.round((anchorMs / quotes) * 1000) / 1000,
  };
}
