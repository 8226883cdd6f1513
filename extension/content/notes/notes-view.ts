/**
 * Shows the room's notes on the page (issue 4). Each note is anchored to its words
 * (highlighted in the colour its author chose) or to a point (a pin), and gets a card
 * (`data-note-id`) in the page's right margin level with its words, so it does not cover
 * them; where there is no margin the card shrinks to a bubble that opens on click.
 * Clicking highlighted words opens their card. A card shows author, time and edited
 * state, the text (plain text, http(s) links made clickable), its thread of replies,
 * Edit / Delete for the author, Reply for everyone, what is still waiting in the
 * outbox, and a conflict when an edit was made on a stale version. A collapsible panel
 * lists every note of the page (click jumps to it) and the notes that could not be
 * placed, with their quoted text, plus export and import. Only the user's own input
 * acts (every handler ignores untrusted events) and every string is generated content
 * inside the closed root, so a page script can neither act here nor read it (issue 10).
 */
import type { Note, Selector } from '../../../protocol/index.js';
import type { PendingOp } from '../../shared/messages.js';
import { anchor, buildTextIndex, observeChanges } from '../anchoring/index.js';
import { documentSize } from '../cursor-anchor.js';
import type { Overlay } from '../overlay.js';
import { setText } from '../overlay-text.js';
import { safeColor, safeName } from '../safe-values.js';
import { trusted } from '../trusted-events.js';
import { guardEditor } from './editor-guard.js';
import { ACTIVE_HIGHLIGHT, Highlighter } from './highlighter.js';
import { relativeTime, renderNoteText } from './note-text.js';

export const CARD_WIDTH = 240;
const CARD_GAP = 16;
const BUBBLE_SIZE = 28;
const FALLBACK_COLOR = '#ffd400';
/** Re-anchoring waits for the page to be quiet this long after DOM changes. */
const MUTATION_DELAY_MS = 400;
const BLOCKS =
  'p, li, blockquote, pre, td, th, dd, dt, figcaption, h1, h2, h3, h4, h5, h6, article, section, main';

export interface NotesActions {
  update(id: string, version: number, body: string): void;
  delete(id: string, version: number): void;
  reply(parentId: string, body: string): void;
  exportNotes(): void;
  importNotes(collection: unknown): void;
  toast(message: string): void;
}

interface Placed {
  id: string;
  card: HTMLElement;
  /** Document coordinates of the words (or the pin). */
  top: number;
  left: number;
  bottom: number;
  /** Right edge of the block the words are in: cards go right of it. */
  blockRight: number;
  range: Range | null;
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

function quoteOf(selectors: readonly Selector[]): string | null {
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  return quote?.type === 'TextQuoteSelector' ? quote.exact : null;
}

const highlightName = (color: string) => `collab-note-${color.slice(1).toLowerCase()}`;

export class NotesView {
  private readonly notes = new Map<string, Note>();
  private pending: PendingOp[] = [];
  private selfId: string | null = null;
  private readonly conflicts = new Map<string, { mine: string; theirs: Note | null }>();
  /** Per card: which editor is open, and its draft text (kept across re-renders). */
  private readonly editing = new Map<string, string>();
  private readonly replying = new Map<string, string>();
  private readonly confirmingDelete = new Set<string>();
  /** The card opened by the user (bubbles open, others raised). */
  private open: string | null = null;
  private panelOpen = false;
  private placed: Placed[] = [];
  private readonly highlights = new Map<string, Highlighter>();
  private readonly active: Highlighter;
  private frame: number | null = null;
  private readonly panel: HTMLElement;
  private stopWatching: (() => void) | null = null;
  private readonly resizeObserver: ResizeObserver | null;

  private readonly onClick = trusted((event: MouseEvent): void => {
    if (event.button !== 0 || this.overlay.contains(event) || this.placed.length === 0) return;
    if (!this.doc.getSelection()?.isCollapsed) return;
    const caret = this.doc.caretRangeFromPoint?.(event.clientX, event.clientY);
    if (!caret) return;
    const hit = this.placed.find(
      (p) => p.range && p.range.comparePoint(caret.startContainer, caret.startOffset) === 0,
    );
    if (hit) this.focus(hit.id, false);
  });

  constructor(
    private readonly doc: Document,
    private readonly overlay: Overlay,
    private readonly actions: NotesActions,
  ) {
    this.panel = overlay.orphans;
    this.panel.classList.add('panel');
    this.active = new Highlighter(doc, ACTIVE_HIGHLIGHT);
    doc.addEventListener('click', this.onClick, true);
    const view = doc.defaultView;
    this.resizeObserver = view?.ResizeObserver ? new view.ResizeObserver(() => this.scheduleRender()) : null;
  }

  /** Re-anchors on page changes (late content, single-page apps) while there are notes to place. */
  private watch(active: boolean): void {
    const body = this.doc.body;
    if (active && !this.stopWatching && body) {
      this.stopWatching = observeChanges(body, () => this.scheduleRender(), MUTATION_DELAY_MS);
      this.resizeObserver?.observe(body);
    } else if (!active && this.stopWatching) {
      this.stopWatching();
      this.stopWatching = null;
      this.resizeObserver?.disconnect();
    }
  }

  setSelf(peerId: string | null): void {
    if (peerId === this.selfId) return;
    this.selfId = peerId;
    this.render();
  }

  /** Replaces every note (after subscribing). */
  setAll(notes: readonly Note[]): void {
    this.notes.clear();
    for (const note of notes) {
      this.notes.set(note.id, note);
      this.followConflict(note);
    }
    this.render();
  }

  upsert(note: Note): void {
    this.notes.set(note.id, note);
    this.followConflict(note);
    this.render();
  }

  remove(id: string): void {
    this.notes.delete(id);
    const conflict = this.conflicts.get(id);
    if (conflict) conflict.theirs = null;
    this.render();
  }

  /**
   * Keeps an open conflict true to the note as it is now. The same conflict is shown in
   * every tab of the room; once one tab resolves it (the note now holds the unsaved
   * text) the others drop it, and a newer version replaces the "now" side, so "Keep
   * mine" never answers with a version that is already stale.
   */
  private followConflict(note: Note): void {
    const conflict = this.conflicts.get(note.id);
    if (!conflict) return;
    if (note.body === conflict.mine) this.conflicts.delete(note.id);
    else if (!conflict.theirs || note.version > conflict.theirs.version) conflict.theirs = note;
  }

  setPending(ops: readonly PendingOp[]): void {
    this.pending = [...ops];
    this.render();
  }

  /** An edit of ours was made on a stale version: show both, let the user choose. */
  conflict(id: string, mine: string, theirs: Note | null): void {
    this.conflicts.set(id, { mine, theirs });
    if (theirs) this.notes.set(theirs.id, theirs);
    const top = theirs?.parentId ?? id;
    this.open = this.notes.has(top) ? top : this.open;
    this.render();
  }

  clear(): void {
    this.notes.clear();
    this.pending = [];
    this.conflicts.clear();
    this.editing.clear();
    this.replying.clear();
    this.render();
  }

  /** Re-anchors on the next frame; many calls in one frame do the work once. */
  scheduleRender(): void {
    const view = this.doc.defaultView;
    if (!view || this.frame !== null) return;
    this.frame = view.requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  /** Scrolls to a note, opens its card and marks its words. */
  focus(id: string, scroll = true): void {
    this.open = id;
    this.render();
    const placed = this.placed.find((p) => p.id === id);
    const card = this.cardElement(id);
    if (scroll && placed) {
      const view = this.doc.defaultView;
      view?.scrollTo({ top: Math.max(0, placed.top - (view.innerHeight ?? 600) / 3), behavior: 'instant' });
    }
    if (card) {
      card.classList.remove('flash');
      void card.offsetWidth;
      card.classList.add('flash');
    }
  }

  /** Saves the exported collection as a file (a download from a blob, no page involvement). */
  download(collection: unknown): void {
    const doc = this.doc;
    const blob = new Blob([JSON.stringify(collection, null, 2)], { type: 'application/ld+json' });
    const link = doc.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `notes-${(doc.location.hostname || 'page').replace(/[^a-z0-9.-]/gi, '_')}.jsonld`;
    this.overlay.shadow.append(link);
    link.click();
    link.remove();
    doc.defaultView?.setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  // -------------------------------------------------------------------------

  private cardElement(id: string): HTMLElement | null {
    return this.overlay.shadow.querySelector<HTMLElement>(`article.card[data-note-id="${CSS.escape(id)}"]`);
  }

  private render(): void {
    const focused = this.overlay.shadow.activeElement;
    const focusKey = focused instanceof HTMLElement ? focused.getAttribute('data-focus-key') : null;
    const selection =
      focused instanceof HTMLTextAreaElement ? [focused.selectionStart, focused.selectionEnd] : null;

    this.watch(this.notes.size > 0 || this.pending.length > 0);
    const body = this.doc.body;
    const index = body ? buildTextIndex(body) : null;
    const size = documentSize(this.doc);
    const view = this.doc.defaultView;
    const scrollX = view?.scrollX ?? 0;
    const scrollY = view?.scrollY ?? 0;

    const topLevel = [...this.notes.values()].filter((n) => !n.parentId || !this.notes.has(n.parentId));
    const pendingNew = this.pending.filter((op) => op.kind === 'create' && !op.parentId);
    const placed: Placed[] = [];
    const pins: HTMLElement[] = [];
    const orphans: Note[] = [];
    const byColor = new Map<string, Range[]>();
    const activeRanges: Range[] = [];

    const place = (id: string, card: HTMLElement, selectors: readonly Selector[], color: string): boolean => {
      const point = pointOf(selectors);
      if (point) {
        const left = point.x * size.width;
        const top = point.y * size.height;
        const pin = this.doc.createElement('div');
        pin.className = 'pin';
        pin.setAttribute('data-pin-for', id);
        pin.style.setProperty('--note-color', color);
        pin.style.left = `${Math.round(left)}px`;
        pin.style.top = `${Math.round(top)}px`;
        pin.addEventListener(
          'click',
          trusted(() => this.focus(id, false)),
        );
        pins.push(pin);
        placed.push({ id, card, top, left, bottom: top, blockRight: left + 12, range: null });
        return true;
      }
      const range = body && index && selectors.length > 0 ? anchor(selectors, body, index) : null;
      if (!range) return false;
      const rects = range.getClientRects();
      const first = rects[0] ?? range.getBoundingClientRect();
      const last = rects[rects.length - 1] ?? first;
      const start = range.startContainer;
      const element = start.nodeType === 1 ? (start as Element) : start.parentElement;
      const block = element?.closest(BLOCKS) ?? element;
      const blockRect = block?.getBoundingClientRect();
      placed.push({
        id,
        card,
        top: first.top + scrollY,
        left: first.left + scrollX,
        bottom: last.bottom + scrollY,
        blockRight: Math.max(last.right, blockRect ? blockRect.right : last.right) + scrollX,
        range,
      });
      const list = byColor.get(color) ?? [];
      list.push(range);
      byColor.set(color, list);
      if (this.open === id) activeRanges.push(range);
      return true;
    };

    for (const note of topLevel) {
      const card = this.card(note);
      // The colour names a highlight and goes into its ::highlight rule: only #rrggbb (issue 10).
      const color = safeColor(note.color ?? note.author.color);
      if (!place(note.id, card, note.anchor.selectors, color)) orphans.push(note);
    }
    for (const op of pendingNew) {
      const card = this.pendingCard(op);
      place(`pending:${op.opId}`, card, op.anchor?.selectors ?? [], safeColor(op.color, FALLBACK_COLOR));
    }

    this.setHighlights(byColor);
    this.active.set(activeRanges);
    this.placed = placed;
    this.overlay.notes.replaceChildren(...pins, ...placed.map((p) => p.card));
    this.layout(placed, size.width);
    this.renderPanel(topLevel, orphans);

    if (focusKey) {
      const again = this.overlay.shadow.querySelector<HTMLElement>(
        `[data-focus-key="${CSS.escape(focusKey)}"]`,
      );
      again?.focus();
      if (again instanceof HTMLTextAreaElement && selection) {
        again.setSelectionRange(selection[0] ?? 0, selection[1] ?? 0);
      }
    }
  }

  private setHighlights(byColor: Map<string, Range[]>): void {
    for (const [color, ranges] of byColor) {
      let highlighter = this.highlights.get(color);
      if (!highlighter) {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
        highlighter = new Highlighter(
          this.doc,
          highlightName(color),
          `background-color: rgba(${r}, ${g}, ${b}, 0.4); color: inherit;`,
        );
        this.highlights.set(color, highlighter);
      }
      highlighter.set(ranges);
    }
    for (const [color, highlighter] of this.highlights) if (!byColor.has(color)) highlighter.clear();
  }

  /**
   * Margin mode: cards right of the text block, level with their words, pushed down so
   * they never overlap. Without room in the margin, a bubble at the page's right edge
   * stands for each card; the opened one shows below its words.
   */
  private layout(placed: Placed[], width: number): void {
    const sorted = [...placed].sort((a, b) => a.top - b.top || a.left - b.left);
    let floor = 0;
    let bubbleFloor = 0;
    for (const item of sorted) {
      const { card } = item;
      const marginLeft = item.blockRight + CARD_GAP;
      const fits = marginLeft + CARD_WIDTH <= width - 8;
      card.classList.toggle('bubble', !fits && this.open !== item.id);
      card.classList.toggle('open', this.open === item.id);
      if (fits) {
        const top = Math.max(item.top - 6, floor);
        card.style.left = `${Math.round(marginLeft)}px`;
        card.style.top = `${Math.round(top)}px`;
        floor = top + (card.offsetHeight || 60) + 8;
      } else if (this.open === item.id) {
        // Below the words, so they stay readable; inside the page horizontally.
        const left = Math.max(8, Math.min(item.left, width - CARD_WIDTH - 8));
        card.style.left = `${Math.round(left)}px`;
        card.style.top = `${Math.round(item.bottom + 8)}px`;
      } else {
        const top = Math.max(item.top - 4, bubbleFloor);
        card.style.left = `${Math.round(width - BUBBLE_SIZE - 6)}px`;
        card.style.top = `${Math.round(top)}px`;
        bubbleFloor = top + BUBBLE_SIZE + 4;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Cards

  private el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) {
    const element = this.doc.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) setText(element, text);
    return element;
  }

  private button(
    label: string,
    attribute: string,
    onClick: () => void,
    className = 'link',
  ): HTMLButtonElement {
    const button = this.el('button', className, label);
    button.type = 'button';
    button.setAttribute(attribute, '');
    button.addEventListener(
      'click',
      trusted((event) => {
        event.stopPropagation();
        onClick();
      }),
    );
    return button;
  }

  /** Author, time and edited state of one note. */
  private meta(note: Note): HTMLElement {
    const meta = this.el('div', 'meta');
    const author = this.el('span', 'author');
    author.append(this.el('span', 'dot'), this.el('span', 'name', safeName(note.author.name)));
    author.style.setProperty('--author-color', safeColor(note.author.color));
    const time = this.el('time', 'time', relativeTime(note.createdAt));
    time.dateTime = note.createdAt;
    time.title = new Date(note.createdAt).toLocaleString();
    meta.append(author, time);
    if (note.version > 1 || note.updatedAt !== note.createdAt) {
      const edited = this.el('span', 'edited', 'edited');
      edited.setAttribute('data-collab-edited', '');
      edited.title = `edited ${new Date(note.updatedAt).toLocaleString()}`;
      meta.append(edited);
    }
    return meta;
  }

  private bodyOf(text: string): HTMLElement {
    const body = this.el('p', 'body');
    body.setAttribute('data-collab-note-body', '');
    body.append(renderNoteText(this.doc, text));
    return body;
  }

  /** One note's own part (top-level or reply): meta, body or editor, actions, states. */
  private entry(note: Note): HTMLElement[] {
    const mine = note.author.id === this.selfId;
    const parts: HTMLElement[] = [this.meta(note)];
    const pendingEdit = this.pending.find((op) => op.kind === 'update' && op.id === note.id);
    const pendingDelete = this.pending.some((op) => op.kind === 'delete' && op.id === note.id);
    const draft = this.editing.get(note.id);
    if (draft !== undefined) {
      parts.push(
        this.editor(
          `edit:${note.id}`,
          draft,
          (text) => this.editing.set(note.id, text),
          (text) => {
            this.editing.delete(note.id);
            if (text !== note.body) this.actions.update(note.id, note.version, text);
            this.render();
          },
          () => {
            this.editing.delete(note.id);
            this.render();
          },
          'Save',
        ),
      );
    } else {
      parts.push(this.bodyOf(pendingEdit?.body ?? note.body));
    }
    if (pendingEdit || pendingDelete) {
      parts.push(
        this.el(
          'div',
          'status',
          pendingDelete ? 'Deleting… (waiting for the server)' : 'Saving… (waiting for the server)',
        ),
      );
    }
    const conflict = this.conflicts.get(note.id);
    if (conflict) parts.push(this.conflictBox(note, conflict));
    if (mine && draft === undefined && !pendingDelete) {
      const actions = this.el('div', 'actions');
      actions.append(
        this.button('Edit', 'data-collab-note-edit', () => {
          this.editing.set(note.id, pendingEdit?.body ?? note.body);
          this.open = note.parentId ?? note.id;
          this.render();
          this.cardElement(this.open)?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
        }),
      );
      if (this.confirmingDelete.has(note.id)) {
        actions.append(
          this.button(
            'Delete for everyone',
            'data-collab-note-delete-confirm',
            () => {
              this.confirmingDelete.delete(note.id);
              this.actions.delete(note.id, note.version);
            },
            'link danger',
          ),
          this.button('Keep', 'data-collab-note-delete-cancel', () => {
            this.confirmingDelete.delete(note.id);
            this.render();
          }),
        );
      } else {
        actions.append(
          this.button('Delete', 'data-collab-note-delete', () => {
            this.confirmingDelete.add(note.id);
            this.render();
          }),
        );
      }
      parts.push(actions);
    }
    return parts;
  }

  private conflictBox(note: Note, conflict: { mine: string; theirs: Note | null }): HTMLElement {
    const box = this.el('div', 'conflict');
    box.setAttribute('data-collab-conflict', '');
    const dismiss = () => {
      this.conflicts.delete(note.id);
      this.render();
    };
    if (!conflict.theirs) {
      box.append(this.el('strong', undefined, 'This note was deleted elsewhere. Your edit was not saved:'));
      box.append(this.el('p', 'mine', conflict.mine));
      box.append(this.button('Dismiss', 'data-collab-conflict-dismiss', dismiss));
      return box;
    }
    const theirs = conflict.theirs;
    box.append(
      this.el('strong', undefined, `Changed elsewhere (version ${theirs.version}) before your edit arrived.`),
      this.el('div', 'label', 'Now:'),
      this.el('p', 'theirs', theirs.body),
      this.el('div', 'label', 'Your edit (not saved):'),
      this.el('p', 'mine', conflict.mine),
    );
    const actions = this.el('div', 'actions');
    actions.append(
      this.button('Keep mine', 'data-collab-conflict-mine', () => {
        this.conflicts.delete(note.id);
        this.actions.update(theirs.id, theirs.version, conflict.mine);
        this.render();
      }),
      this.button('Keep theirs', 'data-collab-conflict-theirs', dismiss),
    );
    box.append(actions);
    return box;
  }

  private editor(
    key: string,
    value: string,
    changed: (text: string) => void,
    submit: (text: string) => void,
    cancel: (() => void) | null,
    label: string,
  ): HTMLElement {
    const form = this.el('div', 'inline-editor');
    const input = this.el('textarea');
    input.value = value;
    input.maxLength = 10_000;
    input.setAttribute('data-focus-key', key);
    input.setAttribute('data-collab-inline-input', '');
    input.placeholder = label === 'Reply' ? 'Reply…' : 'Edit the note…';
    guardEditor(this.overlay, input);
    this.overlay.listen(input, 'input', () => changed(input.value));
    const send = () => {
      const text = input.value.trim();
      if (text !== '') submit(text);
    };
    this.overlay.listen(
      input,
      'keydown',
      trusted((event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          send();
        } else if (event.key === 'Escape' && cancel) {
          event.preventDefault();
          cancel();
        }
      }),
    );
    const actions = this.el('div', 'actions');
    if (cancel) actions.append(this.button('Cancel', 'data-collab-inline-cancel', cancel));
    actions.append(this.button(label, 'data-collab-inline-save', send, 'small-primary'));
    form.append(input, actions);
    return form;
  }

  /** Builds the card of a top-level note with its thread. */
  private card(note: Note): HTMLElement {
    const card = this.el('article', 'card');
    card.setAttribute('data-note-id', note.id);
    card.style.setProperty('--note-color', safeColor(note.color ?? note.author.color));
    card.addEventListener(
      'click',
      trusted(() => {
        if (this.open !== note.id) this.focus(note.id, false);
      }),
    );
    card.addEventListener('mouseenter', () => {
      const range = this.placed.find((p) => p.id === note.id)?.range;
      if (range) this.active.set([range]);
    });
    card.addEventListener('mouseleave', () => {
      const range = this.placed.find((p) => p.id === this.open)?.range;
      this.active.set(range ? [range] : []);
    });
    const replies = [...this.notes.values()].filter((n) => n.parentId === note.id);
    const pendingReplies = this.pending.filter((op) => op.kind === 'create' && op.parentId === note.id);
    const count = replies.length + pendingReplies.length;
    const bubble = this.el('span', 'bubble-label', count > 0 ? String(count + 1) : '');
    bubble.setAttribute('aria-label', `Note by ${safeName(note.author.name)}`);
    card.append(bubble, ...this.entry(note));

    const thread = this.el('div', 'thread');
    for (const reply of replies) {
      const row = this.el('div', 'reply');
      row.setAttribute('data-note-id', reply.id);
      row.append(...this.entry(reply));
      thread.append(row);
    }
    for (const op of pendingReplies) {
      const row = this.el('div', 'reply pending');
      row.setAttribute('data-pending-op', op.opId);
      row.append(this.bodyOf(op.body ?? ''), this.el('div', 'status', 'Sending…'));
      thread.append(row);
    }
    const draft = this.replying.get(note.id);
    if (draft !== undefined) {
      thread.append(
        this.editor(
          `reply:${note.id}`,
          draft,
          (text) => this.replying.set(note.id, text),
          (text) => {
            this.replying.delete(note.id);
            this.actions.reply(note.id, text);
            this.render();
          },
          () => {
            this.replying.delete(note.id);
            this.render();
          },
          'Reply',
        ),
      );
    } else {
      const actions = this.el('div', 'actions');
      actions.append(
        this.button('Reply', 'data-collab-note-reply', () => {
          this.replying.set(note.id, '');
          this.open = note.id;
          this.render();
          this.cardElement(note.id)
            ?.querySelector<HTMLTextAreaElement>('textarea[data-focus-key^="reply:"]')
            ?.focus();
        }),
      );
      thread.append(actions);
    }
    card.append(thread);
    return card;
  }

  private pendingCard(op: PendingOp): HTMLElement {
    const card = this.el('article', 'card pending');
    card.setAttribute('data-pending-op', op.opId);
    card.style.setProperty('--note-color', safeColor(op.color, FALLBACK_COLOR));
    card.append(
      this.el('div', 'meta', 'You'),
      this.bodyOf(op.body ?? ''),
      this.el('div', 'status', 'Sending… (kept until the server has it)'),
    );
    return card;
  }

  // -------------------------------------------------------------------------
  // Panel: every note of the page, orphans with their quotes, export and import.

  private renderPanel(topLevel: Note[], orphans: Note[]): void {
    const total = topLevel.length;
    const pendingCount = this.pending.length;
    this.panel.hidden = total === 0 && pendingCount === 0 && this.selfId === null;
    const toggle = this.button(
      `Notes (${total})${orphans.length ? ` · ${orphans.length} not placed` : ''}${pendingCount ? ` · ${pendingCount} unsent` : ''}`,
      'data-collab-notes-toggle',
      () => {
        this.panelOpen = !this.panelOpen;
        this.render();
      },
      'panel-toggle',
    );
    toggle.setAttribute('aria-expanded', String(this.panelOpen));
    const parts: HTMLElement[] = [toggle];
    if (this.panelOpen) {
      const list = this.el('ol', 'note-list');
      list.setAttribute('data-collab-notes-list', '');
      const placedIds = new Set(this.placed.map((p) => p.id));
      for (const note of topLevel) {
        if (!placedIds.has(note.id)) continue;
        const item = this.el('li');
        const jump = this.button('', 'data-collab-jump', () => this.focus(note.id));
        jump.className = 'jump';
        jump.setAttribute('data-jump-to', note.id);
        jump.style.setProperty('--note-color', safeColor(note.color ?? note.author.color));
        const quote = quoteOf(note.anchor.selectors);
        jump.append(
          this.el('span', 'quote', quote ?? '(a point on the page)'),
          this.el('span', 'preview', `${safeName(note.author.name)}: ${note.body}`),
        );
        const replies = [...this.notes.values()].filter((n) => n.parentId === note.id).length;
        if (replies > 0)
          jump.append(this.el('span', 'count', `${replies} ${replies === 1 ? 'reply' : 'replies'}`));
        item.append(jump);
        list.append(item);
      }
      if (list.childElementCount === 0)
        list.append(this.el('li', 'empty', 'No notes on this page yet. Select text to add one.'));
      parts.push(list);
      if (orphans.length > 0) {
        const title = this.el('h2', undefined, `Could not be placed (${orphans.length})`);
        const orphanList = this.el('div', 'orphan-list');
        orphanList.setAttribute('data-collab-orphans', '');
        for (const note of orphans) {
          const card = this.card(note);
          card.classList.add('orphan');
          const quote = quoteOf(note.anchor.selectors);
          if (quote !== null)
            card.insertBefore(this.el('blockquote', 'quote', quote), card.children[2] ?? null);
          orphanList.append(card);
        }
        parts.push(title, orphanList);
      }
      const tools = this.el('div', 'tools');
      const file = this.el('input');
      file.type = 'file';
      file.accept = '.json,.jsonld,application/json,application/ld+json';
      file.hidden = true;
      file.setAttribute('data-collab-import-file', '');
      file.addEventListener('change', () => {
        // Files reach this input only through the browser's file chooser, opened by a trusted click.
        const chosen = file.files?.[0];
        if (!chosen) return;
        void chosen.text().then((text) => {
          try {
            this.actions.importNotes(JSON.parse(text) as unknown);
          } catch {
            this.actions.toast('That file is not JSON.');
          }
        });
      });
      tools.append(
        this.button('Export (W3C JSON-LD)', 'data-collab-export', () => this.actions.exportNotes(), 'tool'),
        this.button('Import…', 'data-collab-import', () => file.click(), 'tool'),
        file,
      );
      parts.push(tools);
    }
    this.panel.replaceChildren(...parts);
    this.panel.classList.toggle('expanded', this.panelOpen);
  }
}
