/**
 * Updating the overlay's DOM in place. A view describes what it shows as a tree of
 * parts: a key (unique among its siblings), a signature of everything the element shows
 * and does, and how to build it. `reconcile` keeps every element whose part has the same
 * key and signature as last time, builds only the changed ones, and moves elements only
 * when their order changed, so an editor the user is typing in keeps its focus, caret and
 * text while the notes around it change. A kept element whose whole subtree of parts is
 * unchanged is not walked at all: one changed card out of hundreds costs one card.
 */

export interface Part {
  key: string;
  /** Everything the element itself shows and does; a change rebuilds it (and its children). */
  sig: string;
  build(): HTMLElement;
  /** Parts inside the element, reconciled on their own, so they survive changes of their siblings. */
  children?: readonly Part[];
}

interface Built {
  key: string;
  sig: string;
  /** Signature of the children's parts as last reconciled. */
  tree: string;
}

const built = new WeakMap<Element, Built>();
const trees = new WeakMap<Part, string>();

/** Keys and signatures of a part's whole subtree, in order. */
function treeOf(parts: readonly Part[] | undefined): string {
  if (!parts) return '';
  let out = '';
  for (const part of parts) {
    let tree = trees.get(part);
    if (tree === undefined) {
      tree = treeOf(part.children);
      trees.set(part, tree);
    }
    out += `${part.key}\u0001${part.sig}\u0002${tree}\u0003`;
  }
  return out;
}

/** Makes `parent`'s children the elements of `parts`, in order, building only what changed. */
export function reconcile(parent: Element, parts: readonly Part[]): void {
  const existing = new Map<string, Element>();
  for (const child of parent.children) {
    const meta = built.get(child);
    if (meta) existing.set(meta.key, child);
  }
  // Gone first: else a kept element after a gone one is moved in front of it, and a
  // moved element loses the keyboard focus (the Reply button when a reply replaces its
  // pending copy).
  if (existing.size > 0) {
    const keys = new Set(parts.map((part) => part.key));
    for (const [key, child] of existing) {
      if (keys.has(key)) continue;
      child.remove();
      existing.delete(key);
    }
  }
  let next: Element | null = parent.firstElementChild;
  for (const part of parts) {
    const old = existing.get(part.key);
    let element: Element;
    let meta = old && built.get(old);
    if (old && meta?.sig === part.sig) {
      element = old;
    } else {
      element = part.build();
      meta = { key: part.key, sig: part.sig, tree: '' };
      built.set(element, meta);
      if (old) {
        old.replaceWith(element);
        if (old === next) next = element;
      }
    }
    if (element === next) next = element.nextElementSibling;
    else parent.insertBefore(element, next);
    if (part.children && meta) {
      const tree = treeOf(part.children);
      if (tree !== meta.tree || element !== old) {
        reconcile(element, part.children);
        meta.tree = tree;
      }
    }
  }
  // Every part is now in place before `next`; what follows is gone.
  while (next) {
    const after: Element | null = next.nextElementSibling;
    next.remove();
    next = after;
  }
}
