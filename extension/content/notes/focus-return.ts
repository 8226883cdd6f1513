/**
 * Giving the keyboard back to the page. When a card, the composer or the notes panel
 * takes the focus, it first notes where the focus was (an element of ours, such as the
 * bubble or the panel entry that opened it, or the page's own focused element and
 * selection); when it closes, the focus goes back there, so a keyboard user goes on from
 * where they were instead of from the top of the page. Only while the focus is still in
 * our UI: a user who moved on meanwhile is not pulled back.
 */
import type { Overlay } from '../overlay.js';

/** Where the keyboard was: an element to focus again and the page's selection. */
export interface FocusSpot {
  element: HTMLElement | null;
  /** A selector finding the element again in our root after a render replaced it. */
  address: string | null;
  range: Range | null;
}

/** How to find a control of ours again once its part was rebuilt (its text changed). */
function addressOf(element: Element): string | null {
  const jump = element.getAttribute('data-jump-to');
  if (jump !== null) return `[data-jump-to="${CSS.escape(jump)}"]`;
  if (element.hasAttribute('data-collab-notes-toggle')) return '[data-collab-notes-toggle]';
  const card = element.closest('article.card[data-note-id]')?.getAttribute('data-note-id');
  if (card && element.hasAttribute('data-collab-bubble'))
    return `article.card[data-note-id="${CSS.escape(card)}"] [data-collab-bubble]`;
  return null;
}

const instances = new WeakMap<Overlay, FocusReturn>();

/** The one FocusReturn of an overlay (cards, panel and composer share what the page focused last). */
export function focusReturn(overlay: Overlay): FocusReturn {
  let found = instances.get(overlay);
  if (!found) {
    found = new FocusReturn(overlay);
    instances.set(overlay, found);
  }
  return found;
}

export class FocusReturn {
  /** The page's element that had the focus last (ours never count). */
  private lastPage: HTMLElement | null = null;

  constructor(private readonly overlay: Overlay) {
    const doc = overlay.host.ownerDocument;
    doc.addEventListener(
      'focusin',
      (event) => {
        const target = event.target;
        if (target !== overlay.host && target instanceof HTMLElement) this.lastPage = target;
      },
      true,
    );
    // Focus that went nowhere (a click on plain text): there is no element to go back to.
    doc.addEventListener(
      'focusout',
      (event) => {
        if (event.relatedTarget === null && event.target === this.lastPage) this.lastPage = null;
      },
      true,
    );
  }

  /** True while the focus is on an element of ours, or was until that element went away. */
  private ours(): boolean {
    const active = this.overlay.host.ownerDocument.activeElement;
    return (
      this.overlay.shadow.activeElement !== null || active === null || active === active.ownerDocument.body
    );
  }

  /** Where the focus is now, to come back to. */
  capture(): FocusSpot {
    const doc = this.overlay.host.ownerDocument;
    const ours = this.overlay.shadow.activeElement;
    if (ours instanceof HTMLElement) return { element: ours, address: addressOf(ours), range: null };
    const active = doc.activeElement;
    const element = active instanceof HTMLElement && active !== doc.body ? active : null;
    const selection = doc.getSelection();
    const range = selection && selection.rangeCount > 0 ? selection.getRangeAt(0).cloneRange() : null;
    return { element, address: null, range };
  }

  /**
   * Focuses `spot` again if the focus is still ours (or nowhere): its element when it is still shown,
   * else the page's last focused element; and puts the page's selection back.
   */
  restore(spot: FocusSpot | null, options: { collapse?: boolean } = {}): void {
    if (!this.ours()) return;
    const doc = this.overlay.host.ownerDocument;
    const again = spot?.address ? this.overlay.shadow.querySelector<HTMLElement>(spot.address) : null;
    const target = [spot?.element, again, this.lastPage].find((element) => element && shown(element)) ?? null;
    if (target) target.focus({ preventScroll: true });
    else (this.overlay.shadow.activeElement as HTMLElement | null)?.blur();
    const range = spot?.range;
    if (!range || target?.getRootNode() === this.overlay.shadow) return;
    if (options.collapse) range.collapse(false);
    const selection = doc.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }
}

/** Still in the document and drawn (a bubble's button is hidden while its card is open). */
function shown(element: HTMLElement): boolean {
  return element.isConnected && element.getClientRects().length > 0;
}
