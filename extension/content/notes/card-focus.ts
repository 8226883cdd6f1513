/**
 * The keyboard's way through the note cards: opening a card from its bubble or the notes
 * panel puts the focus on the card (an article named after its author, so that is read) and remembers where the
 * focus was; Escape gives it back there. Actions that rebuild part of a card (Delete
 * asks to confirm, Edit opens an editor, Save closes it) would drop the focus on the
 * page's body: the focus goes to the control that follows instead.
 */
import type { Overlay } from '../overlay.js';
import { focusReturn, type FocusSpot } from './focus-return.js';

export class CardFocus {
  /** Where the focus was before the open card took it. */
  private opener: FocusSpot | null = null;

  constructor(private readonly overlay: Overlay) {}

  /** The card element of a top-level note. */
  card(id: string): HTMLElement | null {
    return this.overlay.notes.querySelector<HTMLElement>(`article.card[data-note-id="${CSS.escape(id)}"]`);
  }

  /** Call before the user's action opens a card: remembers where the focus is. */
  opening(): void {
    this.opener = focusReturn(this.overlay).capture();
  }

  /** Moves the focus onto the opened card. */
  enter(id: string): void {
    this.card(id)?.focus({ preventScroll: true });
  }

  /** The card was closed: the focus goes back to where it was before it opened. */
  closed(): void {
    focusReturn(this.overlay).restore(this.opener);
    this.opener = null;
  }

  /**
   * Runs `render`, which may rebuild a focused control of a card (a note's new version
   * arrived, its pending edit went out), and focuses the rebuilt control: the one with the
   * same hook attribute in the same note's entry, else the card.
   */
  preserve(render: () => void): void {
    const active = this.overlay.shadow.activeElement;
    const card = active?.closest<HTMLElement>('article.card[data-note-id]');
    if (!active || !card || active === card) return render();
    const cardId = card.getAttribute('data-note-id') ?? '';
    const replyId = active.closest('[data-reply-id]')?.getAttribute('data-reply-id') ?? null;
    const hook = [...active.attributes].find((attribute) => attribute.name.startsWith('data-collab-'))?.name;
    render();
    if (active.isConnected || this.overlay.shadow.activeElement !== null) return;
    const now = this.card(cardId);
    if (!now) return;
    const target = hook
      ? [...now.querySelectorAll<HTMLElement>(`[${hook}]`)].find(
          (element) =>
            (element.closest('[data-reply-id]')?.getAttribute('data-reply-id') ?? null) === replyId,
        )
      : undefined;
    (target ?? now).focus({ preventScroll: true });
  }

  /**
   * Runs `change` (which may rebuild the focused control of card `cardId`); if the focus
   * was in that card and is gone afterwards, focuses `selector` inside `scope` (the
   * entry acted on), else the card, else (the card is gone) where it was before.
   */
  keep(cardId: string, entryId: string, selector: string | null, change: () => void): void {
    const active = this.overlay.shadow.activeElement;
    const had = active !== null && (this.card(cardId)?.contains(active) ?? false);
    change();
    if (!had) return;
    const card = this.card(cardId);
    if (!card) return this.closed();
    // Kept on a control, or left only on the card itself by preserve() (the control went).
    const now = this.overlay.shadow.activeElement;
    if (now !== null && now !== card) return;
    const scope =
      entryId === cardId ? card : card.querySelector<HTMLElement>(`[data-reply-id="${CSS.escape(entryId)}"]`);
    const target = selector ? (scope ?? card).querySelector<HTMLElement>(selector) : null;
    (target ?? card).focus({ preventScroll: true });
  }
}
