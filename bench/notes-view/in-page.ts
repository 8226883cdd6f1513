/**
 * The page half of `npm run bench:notes-view`, bundled as one script and run in the page's
 * main world: the real NotesView on the real overlay (closed root), fed like the content
 * script feeds it. It picks seeded random passages of the page's visible text, gives the
 * view `notes` of them, then times applying one more (a remote `note:upsert`, or the
 * author's own three steps: pending, stored, sent) until its card is laid out, plus any
 * work the view left for the next animation frames.
 */
import type { Note, Selector } from '../../protocol/index.js';
import type { PendingOp } from '../../extension/shared/messages.js';
import { buildTextIndex, describe, rangeFromOffsets } from '../../extension/content/anchoring/index.js';
import { NotesView } from '../../extension/content/notes/notes-view.js';
import { createOverlay } from '../../extension/content/overlay.js';
import { prng } from '../support/prng.js';

const COLORS = ['#ffd400', '#5fd068', '#4aa8ff', '#ff7eb6', '#b48cff'];
const AUTHORS = ['Ada', 'Bo', 'Cy', 'Di', 'Ed'].map((name, i) => ({
  id: `peer-${i}`,
  name,
  color: COLORS[(i + 2) % COLORS.length]!,
}));

/** Selectors of `count` passages of 1-6 words of visible text, seeded. */
function passages(count: number, seed: number): Selector[][] {
  const body = document.body;
  const index = buildTextIndex(body);
  const visible = index.nodes
    .map((node, i) => ({ node, i }))
    .filter(({ node }) => node.data.trim().length >= 20 && node.parentElement?.checkVisibility?.() !== false);
  const random = prng(seed);
  const out: Selector[][] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const pick = visible[Math.floor(random() * visible.length)]!;
    const start0 = index.starts[pick.i]!;
    const end0 = index.ends[pick.i]!;
    let start = start0 + Math.floor(random() * (end0 - start0));
    while (start > start0 && index.text[start - 1] !== ' ') start--;
    let end = start;
    const words = 1 + Math.floor(random() * 6);
    for (let w = 0; w < words && end < end0; w++) {
      end = index.text.indexOf(' ', end + 1);
      if (end < 0 || end > end0) end = end0;
    }
    const range = rangeFromOffsets(index, start, end);
    const selectors = range ? describe(range, body, index) : [];
    const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
    if (quote?.type === 'TextQuoteSelector' && quote.exact.length >= 3) out.push(selectors);
  }
  return out;
}

let serial = 0;
function note(selectors: Selector[], random: () => number): Note {
  const author = AUTHORS[Math.floor(random() * AUTHORS.length)]!;
  const at = new Date(Date.UTC(2026, 10, 1, 8, 0, serial)).toISOString();
  serial++;
  return {
    id: `note-${String(serial).padStart(4, '0')}`,
    room: 'bench',
    version: 1,
    revision: serial,
    anchor: { selectors },
    body: `Note ${serial}: a remark of a few words about this passage, as people write them.`,
    color: COLORS[Math.floor(random() * COLORS.length)]!,
    author,
    createdAt: at,
    updatedAt: at,
  };
}

/** Time spent inside animation-frame callbacks since the last reset (the view may defer work there). */
let frameWork = 0;
const originalRaf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) =>
  originalRaf((time) => {
    const t0 = performance.now();
    try {
      callback(time);
    } finally {
      frameWork += performance.now() - t0;
    }
  });

const settle = () => new Promise<void>((done) => originalRaf(() => originalRaf(() => setTimeout(done, 0))));

export interface Sample {
  /** From the call until the new card is laid out (synchronous). */
  sync: number;
  /** Work the view did in the animation frames that followed. */
  deferred: number;
}

export interface Setup {
  placed: number;
  orphans: number;
  textLength: number;
  scrollHeight: number;
}

let view: NotesView;
let overlayShadow: ShadowRoot;
let pool: Selector[][] = [];
const random = prng(7);

async function setup(count: number, extra: number): Promise<Setup> {
  const overlay = createOverlay(document);
  overlayShadow = overlay.shadow;
  const noop = () => undefined;
  view = new NotesView(document, overlay, {
    update: noop,
    delete: noop,
    reply: noop,
    exportNotes: noop,
    importNotes: noop,
    toast: noop,
  });
  view.setSelf('peer-self');
  const all = passages(count + extra, 42);
  pool = all.slice(count);
  view.setAll(all.slice(0, count).map((selectors) => note(selectors, random)));
  await settle();
  return {
    placed: overlay.notes.querySelectorAll('article.card').length,
    orphans: count - overlay.notes.querySelectorAll('article.card').length,
    textLength: buildTextIndex(document.body).text.length,
    scrollHeight: document.documentElement.scrollHeight,
  };
}

const cardOf = (id: string) => overlayShadow.querySelector<HTMLElement>(`article.card[data-note-id="${id}"]`);

/**
 * Times `apply` (which must leave a card for `next`) until that card is laid out, then the
 * animation frames after it; deletes the note again, untimed.
 */
async function timed(next: Note, apply: () => void): Promise<Sample> {
  await settle();
  frameWork = 0;
  const t0 = performance.now();
  apply();
  const card = cardOf(next.id);
  if (!card) throw new Error('no card for the new note');
  card.getBoundingClientRect();
  const sync = performance.now() - t0;
  await settle();
  const deferred = frameWork;
  view.remove(next.id);
  return { sync, deferred };
}

/** One remote note arrives (`note:upsert`). */
function remote(i: number): Promise<Sample> {
  const next = note(pool[i % pool.length]!, random);
  return timed(next, () => view.upsert(next));
}

/** The author's own note: pending in the outbox, stored (upsert), then the outbox empties. */
function own(i: number): Promise<Sample> {
  const next = {
    ...note(pool[i % pool.length]!, random),
    author: { id: 'peer-self', name: 'Me', color: '#30a46c' },
  };
  const op: PendingOp = {
    opId: `op-${i}`,
    kind: 'create',
    anchor: next.anchor,
    body: next.body,
    color: next.color,
  };
  return timed(next, () => {
    view.setPending([op]);
    view.upsert(next);
    view.setPending([]);
  });
}

(window as unknown as { notesBench: unknown }).notesBench = { setup, remote, own };
