/**
 * What each thing the user does on a card changes in the notes view's state, and where
 * the keyboard focus goes afterwards. The view (notes-view.ts) owns the state and hands
 * it here through {@link CardActionsHost}; this module only decides the transitions.
 */
import type { Note } from '../../../protocol/index.js';
import type { CardActions, Conflict, EntryState } from './note-card.js';
import type { NotesActions } from './notes-view.js';

/**
 * The control that takes the focus after the user leaves a state of an entry (the
 * control that entered it), or enters `confirm` (card-focus.ts).
 */
const FOCUS_AFTER: Record<EntryState['kind'] | 'reply' | 'confirm', string> = {
  reading: ':scope > .actions [data-collab-note-edit]',
  editing: ':scope > .actions [data-collab-note-edit]',
  'confirming-delete': ':scope > .actions [data-collab-note-delete]',
  confirm: ':scope > .actions [data-collab-note-delete-confirm]',
  reply: ':scope > .thread > .actions [data-collab-note-reply]',
};

/** The view's state and the moves it offers. */
export interface CardActionsHost {
  readonly entries: Map<string, EntryState>;
  readonly replyDrafts: Map<string, string>;
  readonly conflicts: Map<string, Conflict>;
  readonly notes: ReadonlyMap<string, Note>;
  readonly actions: NotesActions;
  /** Whether `id`'s card is the one the user opened. */
  isOpen(id: string): boolean;
  setOpen(id: string | null): void;
  /** Applies `change` to note `id`'s card and redraws it; a lost focus goes to `focusOn`. */
  act(id: string, change: () => void, focusOn?: string | null): void;
  focus(id: string, scroll: boolean): void;
  openByUser(id: string, scroll: boolean): void;
  closeCard(id: string): void;
  showActive(id: string | null): void;
  focusEditor(key: string): void;
}

export function cardActions(view: CardActionsHost): CardActions {
  const { entries, replyDrafts, conflicts, notes, actions } = view;
  const act = view.act.bind(view);
  return {
    open: (id) => !view.isOpen(id) && view.focus(id, false),
    expand: (id) => view.openByUser(id, false),
    close: (id) => view.closeCard(id),
    hover: (id) => view.showActive(id),
    setEntry: (id, state) => {
      const editing = state.kind === 'editing';
      const before = entries.get(id)?.kind ?? 'reading';
      act(
        id,
        () => {
          if (state.kind === 'reading') entries.delete(id);
          else entries.set(id, state);
          if (editing) view.setOpen(notes.get(id)?.parentId ?? id);
        },
        FOCUS_AFTER[state.kind === 'confirming-delete' ? 'confirm' : before],
      );
      if (editing) view.focusEditor(`edit:${id}`);
    },
    draftEdit: (id, text) =>
      entries.get(id)?.kind === 'editing' && entries.set(id, { kind: 'editing', draft: text }),
    saveEdit: (id, text) =>
      act(
        id,
        () => {
          entries.delete(id);
          const note = notes.get(id);
          if (note && text !== note.body) actions.update(id, note.version, text);
        },
        FOCUS_AFTER.editing,
      ),
    confirmDelete: (id) =>
      act(id, () => {
        entries.delete(id);
        const note = notes.get(id);
        if (note) actions.delete(id, note.version);
      }),
    openReply: (id) => {
      act(id, () => {
        replyDrafts.set(id, '');
        view.setOpen(id);
      });
      view.focusEditor(`reply:${id}`);
    },
    draftReply: (id, text) => replyDrafts.has(id) && replyDrafts.set(id, text),
    sendReply: (id, text) =>
      act(
        id,
        () => {
          replyDrafts.delete(id);
          actions.reply(id, text);
        },
        FOCUS_AFTER.reply,
      ),
    cancelReply: (id) => act(id, () => replyDrafts.delete(id), FOCUS_AFTER.reply),
    keepMine: (id) =>
      act(id, () => {
        const conflict = conflicts.get(id);
        conflicts.delete(id);
        if (conflict?.theirs) actions.update(conflict.theirs.id, conflict.theirs.version, conflict.mine);
      }),
    dismissConflict: (id) => act(id, () => conflicts.delete(id)),
  };
}
