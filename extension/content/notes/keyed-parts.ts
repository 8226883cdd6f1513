/**
 * Updating the overlay's DOM in place. A view describes what it shows as a tree of
 * parts: a key (unique among its siblings), a signature of everything the element shows
 * and does, and how to build it. `reconcile` keeps every element whose part has the same
 * key and signature as last time, builds only the changed ones, and moves elements only
 * when their order changed, so an editor the user is typing in keeps its focus, caret and
 * text while the notes around it change.
 */

export interface Part {
  key: string;
  /** Everything the element itself shows and does; a change rebuilds it (and its children). */
  sig: string;
  build(): HTMLElement;
  /** Parts inside the element, reconciled on their own, so they survive changes of their siblings. */
  children?: readonly Part[];
}

const built = new WeakMap<Element, { key: string; sig: string }>();

/** Makes `parent`'s children the elements of `parts`, in order, building only what changed. */
export function reconcile(parent: Element, parts: readonly Part[]): void {
  const existing = new Map<string, Element>();
  for (const child of parent.children) {
    const meta = built.get(child);
    if (meta) existing.set(meta.key, child);
  }
  const placed = new Set<Element>();
  let next: Element | null = parent.firstElementChild;
  for (const part of parts) {
    const old = existing.get(part.key);
    let element: Element;
    if (old && built.get(old)?.sig === part.sig) {
      element = old;
    } else {
      element = part.build();
      built.set(element, { key: part.key, sig: part.sig });
      if (old) {
        old.replaceWith(element);
        if (old === next) next = element;
      }
    }
    if (element === next) next = element.nextElementSibling;
    else parent.insertBefore(element, next);
    placed.add(element);
    if (part.children) reconcile(element, part.children);
  }
  for (const child of [...parent.children]) if (!placed.has(child)) child.remove();
}
