/**
 * Arrow keys in a list of ours (the notes panel): one Tab stop for the whole list (a
 * roving tabindex), ArrowDown / ArrowUp move between its entries, Home / End go to the
 * first and last. The list is rebuilt as notes change, so the entry that had the focus
 * is remembered by its key and given the Tab stop again after each render.
 */
import type { Overlay } from '../overlay.js';
import { trusted } from '../trusted-events.js';

const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowDown: (index, count) => Math.min(count - 1, index + 1),
  ArrowUp: (index) => Math.max(0, index - 1),
  Home: () => 0,
  End: (_, count) => count - 1,
};

export class RovingList {
  /** Key (value of `keyAttribute`) of the entry holding the Tab stop. */
  private current: string | null = null;
  private readonly wired = new WeakSet<HTMLElement>();

  constructor(
    private readonly overlay: Overlay,
    /** The attribute naming each entry (`data-jump-to`). */
    private readonly keyAttribute: string,
  ) {}

  /** Call after every render of `list`: gives the Tab stop to the remembered entry, or the first. */
  sync(list: HTMLElement): void {
    if (!this.wired.has(list)) {
      this.wired.add(list);
      this.overlay.listen(
        list,
        'keydown',
        trusted((event) => this.onKey(list, event)),
      );
      list.addEventListener('focusin', (event) => {
        const key = (event.target as Element).getAttribute(this.keyAttribute);
        if (key !== null) this.current = key;
      });
    }
    const entries = this.entries(list);
    const current =
      entries.find((entry) => entry.getAttribute(this.keyAttribute) === this.current) ?? entries[0];
    for (const entry of entries) entry.tabIndex = entry === current ? 0 : -1;
  }

  /** The entry holding the Tab stop, to focus when the list opens. */
  stop(list: HTMLElement): HTMLElement | null {
    return this.entries(list).find((entry) => entry.tabIndex === 0) ?? null;
  }

  private entries(list: HTMLElement): HTMLElement[] {
    return [...list.querySelectorAll<HTMLElement>(`[${this.keyAttribute}]`)];
  }

  private onKey(list: HTMLElement, event: KeyboardEvent): void {
    const move = MOVES[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const entries = this.entries(list);
    const index = entries.findIndex((entry) => entry === this.overlay.shadow.activeElement);
    if (index < 0 || entries.length === 0) return;
    event.preventDefault();
    const next = entries[move(index, entries.length)]!;
    this.current = next.getAttribute(this.keyAttribute);
    for (const entry of entries) entry.tabIndex = entry === next ? 0 : -1;
    next.focus();
  }
}

/**
 * Runs `render`, which may rebuild the focused element (a part whose text changed), and
 * focuses its new copy: the element inside `container` with the same value of the first
 * of `attributes` the old one had. Without this a keyboard user pressing Enter on the
 * panel's toggle would find the focus thrown back to the top of the page.
 */
export function keepFocus(container: HTMLElement, attributes: readonly string[], render: () => void): void {
  const root = container.getRootNode() as ShadowRoot | Document;
  const before = root.activeElement;
  const attribute = before && container.contains(before) && attributes.find((a) => before.hasAttribute(a));
  render();
  if (!before || !attribute || before.isConnected) return;
  const value = before.getAttribute(attribute) ?? '';
  container.querySelector<HTMLElement>(`[${attribute}="${CSS.escape(value)}"]`)?.focus();
}
