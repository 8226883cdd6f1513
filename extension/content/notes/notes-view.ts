/**
 * Shows the room's notes on the page. Each note is anchored to its words (highlighted in
 * the colour its author chose) or to a point (a pin), and gets a card (`data-note-id`)
 * level with its words: in the page's right margin when one fits in the visible width,
 * else a bubble that opens on click (margin-layout.ts). Clicking highlighted words opens
 * their card; a panel lists every note (notes-panel.ts).
 *
 * This class holds the state and wires the parts: anchors are remembered per note and
 * computed again only when its selectors or the page's text change (note-anchors.ts);
 * cards are parts whose signatures say what they show, so a change rebuilds only what it
 * touches (note-card.ts, keyed-parts.ts) and an editor keeps its focus while notes arrive;
 * layout is measured in one batch of reads, computed by a pure function, then written.
 * Only the user's own input acts, and every string is generated content inside the
 * closed root, so a page script can neither act here nor read it.
 */
import type { Note } from '../../../protocol/index.js';
import type { PendingOp } from '../../shared/messages.js';
import type { Overlay } from '../overlay.js';
import { safeColor } from '../safe-values.js';
import { trusted } from '../trusted-events.js';
import { cardActions } from './card-actions.js';
import { CardFocus } from './card-focus.js';
import { ACTIVE_HIGHLIGHT, ColorHighlights, Highlighter } from './highlighter.js';
import { reconcile, type Part } from './keyed-parts.js';
import { FALLBACK_COLOR, NoteCards, noteColor, type Conflict, type EntryState } from './note-card.js';
import { compareTargets, NoteAnchors, type Target } from './note-anchors.js';
import { arrivalMessage } from './note-announcements.js';
import { NotesPanel } from './notes-panel.js';
import { NoteTimes } from './note-times.js';
import { PageWatch } from './page-watch.js';
import { placeCards, type Placed, type PlacedItem } from './place-cards.js';

export interface NotesActions {
  update(id: string, version: number, body: string): void;
  delete(id: string, version: number): void;
  reply(parentId: string, body: string): void;
  exportNotes(): void;
  importNotes(collection: unknown): void;
  toast(message: string): void;
}

export class NotesView {
  private readonly notes = new Map<string, Note>();
  private replies = new Map<string, Note[]>();
  private pending: PendingOp[] = [];
  private selfId: string | null = null;
  private readonly conflicts = new Map<string, Conflict>();
  private readonly entries = new Map<string, EntryState>();
  private readonly replyDrafts = new Map<string, string>();
  /** Each top-level note's card as last built, reused until the note or its state changes. */
  private readonly cardParts = new Map<string, Part>();
  /** The cards to build again at the next update. */
  private dirty: Set<string> | 'all' = 'all';
  /** The card opened by the user (bubbles open, others raised). */
  private open: string | null = null;
  private items: PlacedItem[] = [];
  /** Where the items were drawn at the last layout, for clicks on highlighted words. */
  private placed: Placed[] = [];
  private readonly anchors: NoteAnchors;
  private readonly cards: NoteCards;
  private readonly panel: NotesPanel;
  private readonly cardFocus: CardFocus;
  private readonly colors: ColorHighlights;
  private readonly active: Highlighter;
  private frame: number | null = null;
  private readonly watch: PageWatch;
  private readonly times: NoteTimes;

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
    this.anchors = new NoteAnchors(doc);
    this.cardFocus = new CardFocus(overlay);
    this.cards = new NoteCards(
      doc,
      overlay,
      {
        selfId: () => this.selfId,
        pending: () => this.pending,
        conflicts: this.conflicts,
        entries: this.entries,
        replyDrafts: this.replyDrafts,
        repliesOf: (id) => this.replies.get(id) ?? [],
      },
      cardActions(this.actionsHost()),
    );
    this.panel = new NotesPanel(doc, overlay, this.cards, {
      jump: (id) => this.openByUser(id, true),
      exportNotes: () => actions.exportNotes(),
      importNotes: (collection) => actions.importNotes(collection),
      toast: (message) => actions.toast(message),
    });
    this.active = new Highlighter(doc, ACTIVE_HIGHLIGHT);
    this.colors = new ColorHighlights(doc);
    doc.addEventListener('click', this.onClick, true);
    this.times = new NoteTimes(overlay.notes);
    this.watch = new PageWatch(doc, {
      textChanged: () => this.anchors.textChanged(),
      settled: () => {
        this.anchors.reanchorAll();
        this.update();
      },
      resized: () => this.scheduleLayout(),
    });
  }

  setSelf(peerId: string | null): void {
    if (peerId === this.selfId) return;
    this.selfId = peerId;
    this.dirty = 'all';
    this.update();
  }

  /** Replaces every note (after subscribing). */
  setAll(notes: readonly Note[]): void {
    this.notes.clear();
    for (const note of notes) {
      this.notes.set(note.id, note);
      this.followConflict(note);
    }
    this.dirty = 'all';
    this.update();
  }

  upsert(note: Note): void {
    const arrival = this.notes.has(note.id) ? null : arrivalMessage(note, this.selfId);
    if (arrival) this.overlay.announce(arrival);
    this.notes.set(note.id, note);
    this.followConflict(note);
    this.touch(note.id);
    this.update();
  }

  remove(id: string): void {
    this.touch(id);
    this.notes.delete(id);
    this.entries.delete(id);
    this.replyDrafts.delete(id);
    const conflict = this.conflicts.get(id);
    if (conflict) conflict.theirs = null;
    this.update();
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
    for (const op of [...this.pending, ...ops]) this.touch(op.id, op.parentId);
    this.pending = [...ops];
    this.update();
  }

  /** An edit of ours was made on a stale version: show both, let the user choose. */
  conflict(id: string, mine: string, theirs: Note | null): void {
    this.conflicts.set(id, { mine, theirs });
    if (theirs) this.notes.set(theirs.id, theirs);
    const top = theirs?.parentId ?? id;
    this.open = this.notes.has(top) ? top : this.open;
    this.touch(id, top);
    this.update();
  }

  clear(): void {
    this.notes.clear();
    this.pending = [];
    this.conflicts.clear();
    this.entries.clear();
    this.replyDrafts.clear();
    this.dirty = 'all';
    this.update();
  }

  /** Marks the cards showing these notes (their top-level note's card) to be built again. */
  private touch(...ids: Array<string | undefined>): void {
    if (this.dirty === 'all') return;
    for (const id of ids) {
      if (id === undefined) continue;
      const parentId = this.notes.get(id)?.parentId;
      this.dirty.add(parentId && this.notes.has(parentId) ? parentId : id);
    }
  }

  /** Lays the cards out again on the next frame (the window or the page's size changed). */
  scheduleLayout(): void {
    const view = this.doc.defaultView;
    if (!view || this.frame !== null) return;
    this.frame = view.requestAnimationFrame(() => {
      this.frame = null;
      this.layout();
    });
  }

  /** Scrolls to a note, opens its card and marks its words. */
  focus(id: string, scroll = true): void {
    this.open = id;
    this.layout();
    this.showActive(id);
    const placed = this.placed.find((p) => p.id === id);
    const card = this.cardFocus.card(id);
    if (scroll && placed) {
      const view = this.doc.defaultView;
      view?.scrollTo({ top: Math.max(0, placed.top - (view.innerHeight ?? 600) / 3), behavior: 'instant' });
    }
    if (card) {
      card.classList.remove('flash');
      void card.offsetWidth;
      card.classList.add('flash');
      // Cards outlive a render now: the mark goes once it has flashed.
      card.addEventListener('animationend', () => card.classList.remove('flash'), { once: true });
    }
  }

  /** Opens the notes panel and focuses its list (the keyboard shortcut). */
  openPanel(): void {
    this.panel.openFromKeyboard();
  }

  /** Opens a note's card as the user asked (bubble, panel, keys) and moves the focus onto it. */
  private openByUser(id: string, scroll: boolean): void {
    this.cardFocus.opening();
    this.focus(id, scroll);
    this.cardFocus.enter(id);
  }

  // -------------------------------------------------------------------------

  /** Brings the page's cards, highlights and panel up to date with the state. */
  private update(): void {
    const watch = this.notes.size > 0 || this.pending.length > 0;
    // Changes made while nothing was watched are unknown: anchor afresh.
    if (watch && !this.watch.active) this.anchors.reanchorAll();
    this.watch.setActive(watch);
    this.times.setActive(watch);
    this.replies = new Map();
    const topLevel: Note[] = [];
    for (const note of this.notes.values()) {
      if (note.parentId && this.notes.has(note.parentId)) {
        const list = this.replies.get(note.parentId) ?? [];
        list.push(note);
        this.replies.set(note.parentId, list);
      } else {
        topLevel.push(note);
      }
    }
    const items: PlacedItem[] = [];
    const orphans: Note[] = [];
    const parts: Array<{ card: Part; target: PlacedItem['target'] }> = [];
    const pins: Part[] = [];
    const place = (id: string, target: Target, color: string, card: Part): boolean => {
      if (target.kind === 'orphan') return false;
      items.push({ id, target, color });
      if (target.kind === 'point') pins.push(this.pin(id, color));
      parts.push({ card, target });
      return true;
    };
    for (const note of topLevel) {
      const target = this.anchors.resolve(note.id, note.anchor.selectors);
      // The colour names a highlight and goes into its ::highlight rule: only #rrggbb.
      let card = this.dirty === 'all' || this.dirty.has(note.id) ? undefined : this.cardParts.get(note.id);
      if (!card) {
        card = this.cards.card(note);
        this.cardParts.set(note.id, card);
      }
      if (!place(note.id, target, noteColor(note), card)) orphans.push(note);
    }
    for (const op of this.pending) {
      if (op.kind !== 'create' || op.parentId) continue;
      const id = `pending:${op.opId}`;
      const target = this.anchors.resolve(id, op.anchor?.selectors ?? []);
      place(id, target, safeColor(op.color, FALLBACK_COLOR), this.cards.pendingCard(op));
    }
    this.anchors.retain(new Set(items.map((item) => item.id).concat(orphans.map((note) => note.id))));
    const topIds = new Set(topLevel.map((note) => note.id));
    for (const id of this.cardParts.keys()) if (!topIds.has(id)) this.cardParts.delete(id);
    this.dirty = new Set();
    this.items = items;
    // Cards in the order of their words, so Tab goes through them as through the text (0.1 ms for 200).
    const cards = parts.sort((a, b) => compareTargets(a.target, b.target)).map((part) => part.card);
    this.cardFocus.preserve(() => reconcile(this.overlay.notes, [...pins, ...cards]));
    this.colors.set(
      items.flatMap((item) =>
        item.target.kind === 'range' ? [{ color: item.color, range: item.target.range }] : [],
      ),
    );
    this.layout();
    this.showActive(null);
    this.panel.update({
      topLevel,
      placed: new Map(items.map((item) => [item.id, item.target])),
      orphans,
      pendingCount: this.pending.length,
      active: this.selfId !== null,
      repliesOf: (id) => this.replies.get(id) ?? [],
    });
  }

  private pin(id: string, color: string): Part {
    return {
      key: `pin:${id}`,
      sig: color,
      build: () => {
        const pin = this.doc.createElement('div');
        pin.className = 'pin';
        pin.setAttribute('data-pin-for', id);
        pin.style.setProperty('--note-color', color);
        pin.addEventListener(
          'click',
          trusted(() => this.focus(id, false)),
        );
        return pin;
      },
    };
  }

  /** Underlines the words of the hovered note, else of the opened one. */
  private showActive(hovered: string | null): void {
    const id = hovered ?? this.open;
    const range = this.placed.find((p) => p.id === id)?.range;
    this.active.set(range ? [range] : []);
  }

  private layout(): void {
    this.placed = placeCards(this.doc, this.overlay.notes, this.anchors, this.items, this.open);
  }

  /** What card-actions.ts may read and do. */
  private actionsHost(): Parameters<typeof cardActions>[0] {
    return {
      entries: this.entries,
      replyDrafts: this.replyDrafts,
      conflicts: this.conflicts,
      notes: this.notes,
      actions: this.actions,
      isOpen: (id) => this.open === id,
      setOpen: (id) => {
        this.open = id;
      },
      act: (id, change, focusOn) => this.act(id, change, focusOn),
      focus: (id, scroll) => this.focus(id, scroll),
      openByUser: (id, scroll) => this.openByUser(id, scroll),
      closeCard: (id) => {
        if (this.open === id) this.open = null;
        this.layout();
        this.showActive(null);
        this.cardFocus.closed();
      },
      showActive: (id) => this.showActive(id),
      focusEditor: (key) => this.focusEditor(key),
    };
  }

  private focusEditor(key: string): void {
    this.overlay.shadow
      .querySelector<HTMLTextAreaElement>(`[data-editor-for="${CSS.escape(key)}"] textarea`)
      ?.focus();
  }

  /**
   * Applies a change of the user's to the card of note `id` and shows it; a focus the
   * change took away goes to `focusOn` in the note's entry (card-focus.ts).
   */
  private act(id: string, change: () => void, focusOn: string | null = null): void {
    const parentId = this.notes.get(id)?.parentId;
    const top = parentId && this.notes.has(parentId) ? parentId : id;
    this.cardFocus.keep(top, id, focusOn, () => {
      change();
      this.touch(id);
      this.update();
    });
  }
}
