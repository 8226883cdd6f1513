/**
 * A note's card as parts (keyed-parts.ts): the bubble label, the note itself (author,
 * time, edited state, text or its editor, what is still in the outbox, a conflict, Edit /
 * Delete for the author) and its thread (replies, each with the same parts, pending
 * replies, Reply). Each part's signature is what it shows, so a change rebuilds only the
 * parts it touches, and an open editor is never rebuilt while the user types in it.
 * Every string is generated content, every handler acts on the user's own input only.
 */
import type { Note } from '../../../protocol/index.js';
import type { PendingOp } from '../../shared/messages.js';
import type { Overlay } from '../overlay.js';
import { inkOn } from '../contrast.js';
import { safeColor, safeName } from '../safe-values.js';
import { trusted } from '../trusted-events.js';
import type { Part } from './keyed-parts.js';
import { formatDateTime, formatNumber, plural, relativeTime, t } from '../../shared/i18n.js';
import { renderNoteText } from './note-text.js';
import { button, el, inlineEditor } from './overlay-ui.js';

export const FALLBACK_COLOR = '#ffd400';

/** What one note's own part is doing: one named state, not a set of flags. */
export type EntryState =
  { kind: 'reading' } | { kind: 'editing'; draft: string } | { kind: 'confirming-delete' };

/** An edit of ours made on a stale version: our text, and the note as it is now (null: deleted). */
export interface Conflict {
  mine: string;
  theirs: Note | null;
}

/** The view's state the cards show (read only here). */
export interface CardsState {
  selfId(): string | null;
  pending(): readonly PendingOp[];
  readonly conflicts: ReadonlyMap<string, Conflict>;
  readonly entries: ReadonlyMap<string, EntryState>;
  /** Open reply boxes by top-level note, with their draft text. */
  readonly replyDrafts: ReadonlyMap<string, string>;
  repliesOf(id: string): readonly Note[];
}

/** What the user does on a card; the view changes its state and updates. */
export interface CardActions {
  open(id: string): void;
  /** Opens the card from its bubble or the keyboard and puts the focus in it. */
  expand(id: string): void;
  /** Escape on the card: closes it and gives the focus back to where it was. */
  close(id: string): void;
  hover(id: string | null): void;
  setEntry(id: string, state: EntryState): void;
  /** The draft changed as the user typed (no update: the editor already shows it). */
  draftEdit(id: string, text: string): void;
  saveEdit(id: string, text: string): void;
  confirmDelete(id: string): void;
  openReply(id: string): void;
  draftReply(id: string, text: string): void;
  sendReply(id: string, text: string): void;
  cancelReply(id: string): void;
  keepMine(id: string): void;
  dismissConflict(id: string): void;
}

export const noteColor = (note: Note): string => safeColor(note.color ?? note.author.color);

/** "1 reply", "3 replies" (답글 3개). */
export const repliesText = (count: number): string =>
  plural(count, { one: 'repliesOne', other: 'repliesOther' });

export class NoteCards {
  constructor(
    private readonly doc: Document,
    private readonly overlay: Overlay,
    private readonly state: CardsState,
    private readonly actions: CardActions,
  ) {}

  /** The card of a top-level note with its thread; with `quote`, as listed among the orphans. */
  card(note: Note, quote?: string | null): Part {
    const id = note.id;
    const color = noteColor(note);
    const children: Part[] = [this.label(note)];
    if (quote != null) {
      children.push({ key: 'quote', sig: quote, build: () => el(this.doc, 'blockquote', 'quote', quote) });
    }
    children.push(...this.entry(note), this.thread(note));
    return {
      key: id,
      sig: `${color}|${quote != null}|${note.author.name}`,
      build: () => {
        const card = el(this.doc, 'article', quote != null ? 'card orphan' : 'card');
        card.setAttribute('data-note-id', id);
        // An article (a note beside the text, like a comment) named after its author; focusable
        // so that opening it moves the focus in. Not role=dialog: ARIA does not allow it on
        // <article>, and the tests and styles know cards as articles.
        card.setAttribute('aria-label', t('a11yNoteBy', safeName(note.author.name)));
        card.tabIndex = -1;
        this.overlay.listen(
          card,
          'keydown',
          trusted((event) => {
            // A card listed in the notes panel (not placed) leaves Escape to the panel.
            if (event.key !== 'Escape' || quote != null) return;
            event.preventDefault();
            this.actions.close(id);
          }),
        );
        card.style.setProperty('--note-color', color);
        // The bubble's count is written on the note's colour.
        card.style.setProperty('--note-ink', inkOn(color));
        card.addEventListener(
          'click',
          trusted(() => this.actions.open(id)),
        );
        card.addEventListener('mouseenter', () => this.actions.hover(id));
        card.addEventListener('mouseleave', () => this.actions.hover(null));
        return card;
      },
      children,
    };
  }

  /** A note the user made that the server does not have yet. */
  pendingCard(op: PendingOp): Part {
    const color = safeColor(op.color, FALLBACK_COLOR);
    const body = op.body ?? '';
    return {
      key: `pending:${op.opId}`,
      sig: `${color}|${body}`,
      build: () => {
        const card = el(this.doc, 'article', 'card pending');
        card.setAttribute('data-pending-op', op.opId);
        card.style.setProperty('--note-color', color);
        card.append(
          el(this.doc, 'div', 'meta', t('noteYou')),
          this.body(body),
          el(this.doc, 'div', 'status', t('noteSendingKept')),
        );
        return card;
      },
    };
  }

  /**
   * What a collapsed card shows: the note's colour (set on the card), a ring in its
   * author's colour, how many notes the thread holds, and on hover or focus who wrote it.
   */
  private label(note: Note): Part {
    const name = safeName(note.author.name);
    const authorColor = safeColor(note.author.color);
    const replies = this.state.repliesOf(note.id).length;
    const count = replies + 1;
    const said = t('noteBy', name) + (replies ? ` · ${repliesText(replies)}` : '');
    return {
      key: 'label',
      sig: `${name}|${authorColor}|${replies}`,
      build: () => {
        // A button, so the bubble is in the Tab order and opens with Enter or Space.
        const label = el(this.doc, 'button', 'bubble-label');
        label.type = 'button';
        label.style.setProperty('--author-color', authorColor);
        label.setAttribute('aria-label', said);
        label.setAttribute('data-collab-bubble', '');
        label.addEventListener(
          'click',
          trusted((event) => {
            event.stopPropagation();
            this.actions.expand(note.id);
          }),
        );
        label.append(
          el(this.doc, 'span', 'count', formatNumber(count)),
          el(this.doc, 'span', 'bubble-tip', said),
        );
        return label;
      },
    };
  }

  private body(text: string): HTMLElement {
    const body = el(this.doc, 'p', 'body');
    body.setAttribute('data-collab-note-body', '');
    body.append(renderNoteText(this.doc, text));
    return body;
  }

  /** One note's own parts (top-level or reply): meta, text or editor, status, conflict, actions. */
  private entry(note: Note): Part[] {
    const doc = this.doc;
    const id = note.id;
    const state = this.state.entries.get(id) ?? { kind: 'reading' };
    const pendingEdit = this.state.pending().find((op) => op.kind === 'update' && op.id === id);
    const pendingDelete = this.state.pending().some((op) => op.kind === 'delete' && op.id === id);
    const parts: Part[] = [this.meta(note)];
    if (state.kind === 'editing') {
      const draft = state.draft;
      parts.push({
        key: 'editor',
        sig: '',
        build: () => {
          const form = inlineEditor(doc, this.overlay, {
            value: draft,
            placeholder: t('noteEditPlaceholder'),
            submitLabel: t('save'),
            changed: (text) => this.actions.draftEdit(id, text),
            submit: (text) => this.actions.saveEdit(id, text),
            cancel: () => this.actions.setEntry(id, { kind: 'reading' }),
          });
          form.setAttribute('data-editor-for', `edit:${id}`);
          return form;
        },
      });
    } else {
      const text = pendingEdit?.body ?? note.body;
      parts.push({ key: 'body', sig: text, build: () => this.body(text) });
    }
    if (pendingEdit || pendingDelete) {
      const status = t(pendingDelete ? 'noteDeleting' : 'noteSaving');
      parts.push({ key: 'status', sig: status, build: () => el(doc, 'div', 'status', status) });
    }
    const conflict = this.state.conflicts.get(id);
    if (conflict) {
      parts.push({
        key: 'conflict',
        sig: JSON.stringify([conflict.mine, conflict.theirs?.version, conflict.theirs?.body]),
        build: () => this.conflictBox(id, conflict),
      });
    }
    if (note.author.id === this.state.selfId() && state.kind !== 'editing' && !pendingDelete) {
      const editFrom = pendingEdit?.body ?? note.body;
      parts.push({
        key: 'actions',
        sig: `${state.kind}|${editFrom}`,
        build: () => {
          const actions = el(doc, 'div', 'actions');
          actions.append(
            button(doc, t('noteEdit'), 'data-collab-note-edit', () =>
              this.actions.setEntry(id, { kind: 'editing', draft: editFrom }),
            ),
          );
          if (state.kind === 'confirming-delete') {
            actions.append(
              button(
                doc,
                t('noteDeleteForEveryone'),
                'data-collab-note-delete-confirm',
                () => this.actions.confirmDelete(id),
                'link danger',
              ),
              button(doc, t('noteKeep'), 'data-collab-note-delete-cancel', () =>
                this.actions.setEntry(id, { kind: 'reading' }),
              ),
            );
          } else {
            actions.append(
              button(doc, t('noteDelete'), 'data-collab-note-delete', () =>
                this.actions.setEntry(id, { kind: 'confirming-delete' }),
              ),
            );
          }
          return actions;
        },
      });
    }
    return parts;
  }

  /** Author, time and edited state of one note. */
  private meta(note: Note): Part {
    const name = safeName(note.author.name);
    const authorColor = safeColor(note.author.color);
    const when = relativeTime(note.createdAt);
    const edited = note.version > 1 || note.updatedAt !== note.createdAt;
    return {
      key: 'meta',
      sig: JSON.stringify([name, authorColor, when, note.createdAt, edited && note.updatedAt]),
      build: () => {
        const doc = this.doc;
        const meta = el(doc, 'div', 'meta');
        const author = el(doc, 'span', 'author');
        author.append(el(doc, 'span', 'dot'), el(doc, 'span', 'name', name));
        author.style.setProperty('--author-color', authorColor);
        const time = el(doc, 'time', 'time', when);
        time.dateTime = note.createdAt;
        time.title = formatDateTime(note.createdAt);
        meta.append(author, time);
        if (edited) {
          const mark = el(doc, 'span', 'edited', t('noteEdited'));
          mark.setAttribute('data-collab-edited', '');
          mark.title = t('noteEditedAt', formatDateTime(note.updatedAt));
          meta.append(mark);
        }
        return meta;
      },
    };
  }

  private conflictBox(id: string, conflict: Conflict): HTMLElement {
    const doc = this.doc;
    const box = el(doc, 'div', 'conflict');
    box.setAttribute('data-collab-conflict', '');
    const dismiss = () => this.actions.dismissConflict(id);
    if (!conflict.theirs) {
      box.append(
        el(doc, 'strong', undefined, t('conflictDeleted')),
        el(doc, 'p', 'mine', conflict.mine),
        button(doc, t('conflictDismiss'), 'data-collab-conflict-dismiss', dismiss),
      );
      return box;
    }
    const theirs = conflict.theirs;
    box.append(
      el(doc, 'strong', undefined, t('conflictChanged', formatNumber(theirs.version))),
      el(doc, 'div', 'label', t('conflictNow')),
      el(doc, 'p', 'theirs', theirs.body),
      el(doc, 'div', 'label', t('conflictYourEdit')),
      el(doc, 'p', 'mine', conflict.mine),
    );
    const actions = el(doc, 'div', 'actions');
    actions.append(
      button(doc, t('conflictKeepMine'), 'data-collab-conflict-mine', () => this.actions.keepMine(id)),
      button(doc, t('conflictKeepTheirs'), 'data-collab-conflict-theirs', dismiss),
    );
    box.append(actions);
    return box;
  }

  /** Replies (`data-reply-id`), pending replies, and the reply box or the link that opens it. */
  private thread(note: Note): Part {
    const doc = this.doc;
    const id = note.id;
    const children: Part[] = this.state.repliesOf(id).map((reply) => ({
      key: `reply:${reply.id}`,
      sig: '',
      build: () => {
        const row = el(doc, 'div', 'reply');
        row.setAttribute('data-reply-id', reply.id);
        return row;
      },
      children: this.entry(reply),
    }));
    for (const op of this.state.pending()) {
      if (op.kind !== 'create' || op.parentId !== id) continue;
      const body = op.body ?? '';
      children.push({
        key: `pending:${op.opId}`,
        sig: body,
        build: () => {
          const row = el(doc, 'div', 'reply pending');
          row.setAttribute('data-pending-op', op.opId);
          row.append(this.body(body), el(doc, 'div', 'status', t('noteSending')));
          return row;
        },
      });
    }
    const draft = this.state.replyDrafts.get(id);
    if (draft !== undefined) {
      children.push({
        key: 'reply-editor',
        sig: '',
        build: () => {
          const form = inlineEditor(doc, this.overlay, {
            value: draft,
            placeholder: t('replyPlaceholder'),
            submitLabel: t('sendReply'),
            changed: (text) => this.actions.draftReply(id, text),
            submit: (text) => this.actions.sendReply(id, text),
            cancel: () => this.actions.cancelReply(id),
          });
          form.setAttribute('data-editor-for', `reply:${id}`);
          return form;
        },
      });
    } else {
      children.push({
        key: 'reply-link',
        sig: '',
        build: () => {
          const actions = el(doc, 'div', 'actions');
          actions.append(button(doc, t('reply'), 'data-collab-note-reply', () => this.actions.openReply(id)));
          return actions;
        },
      });
    }
    return { key: 'thread', sig: '', build: () => el(doc, 'div', 'thread'), children };
  }
}
