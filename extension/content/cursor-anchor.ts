/**
 * Cursor positions that survive different window sizes. `describeCursor` turns a
 * pointer position into the wire `Cursor`: fractions of the document's scroll size
 * plus, where possible, an element anchor (a short CSS path and the fractional offset
 * inside that element's box). `resolveCursor` turns it back into document coordinates,
 * preferring the element when it exists on this page. Pure DOM, no extension APIs.
 */
import { LIMITS, type Cursor, type CursorAnchor } from '../../protocol/index.js';

/** A point in document coordinates (CSS pixels from the top-left of the page). */
export interface DocPoint {
  x: number;
  y: number;
}

const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

/** An id we can start a path from: present exactly once in the document. */
function uniqueIdSelector(element: Element, doc: Document): string | null {
  if (!element.id) return null;
  const selector = `#${CSS.escape(element.id)}`;
  try {
    return doc.querySelectorAll(selector).length === 1 ? selector : null;
  } catch {
    return null;
  }
}

/**
 * Short CSS path of an element: from the nearest ancestor (or itself) with a unique
 * id, else from `body`, one `tag` or `tag:nth-of-type(n)` step per level (the index
 * only where siblings share the tag). Null for elements outside `body`.
 */
export function cssPath(element: Element, doc: Document = element.ownerDocument): string | null {
  const steps: string[] = [];
  let current: Element | null = element;
  while (current) {
    const idSelector = uniqueIdSelector(current, doc);
    if (idSelector) {
      steps.unshift(idSelector);
      break;
    }
    if (current === doc.body) {
      steps.unshift('body');
      break;
    }
    const parent: Element | null = current.parentElement;
    if (!parent) return null;
    const tag = current.localName;
    const sameTag = Array.from(parent.children).filter((child) => child.localName === tag);
    const escaped = CSS.escape(tag);
    steps.unshift(sameTag.length > 1 ? `${escaped}:nth-of-type(${sameTag.indexOf(current) + 1})` : escaped);
    current = parent;
  }
  const path = steps.join(' > ');
  return path.length <= LIMITS.cssPath ? path : null;
}

/** The element anchor of a client-coordinate point inside `element`, if it has a path. */
export function describeCursorAnchor(
  element: Element,
  clientX: number,
  clientY: number,
): CursorAnchor | undefined {
  const path = cssPath(element);
  if (!path) return undefined;
  const box = element.getBoundingClientRect();
  return {
    path,
    fx: round4(box.width > 0 ? clamp01((clientX - box.left) / box.width) : 0),
    fy: round4(box.height > 0 ? clamp01((clientY - box.top) / box.height) : 0),
  };
}

/** Document scroll size, never zero. */
export function documentSize(doc: Document): { width: number; height: number } {
  const root = doc.documentElement;
  return { width: Math.max(1, root.scrollWidth), height: Math.max(1, root.scrollHeight) };
}

/**
 * The wire cursor for a pointer at (clientX, clientY) over `target` (null when the
 * target is ours or not an element: then only the x/y fallback is sent).
 */
export function describeCursor(
  doc: Document,
  clientX: number,
  clientY: number,
  target: Element | null,
): Cursor {
  const view = doc.defaultView;
  const { width, height } = documentSize(doc);
  const cursor: Cursor = {
    x: round4(clamp01((clientX + (view?.scrollX ?? 0)) / width)),
    y: round4(clamp01((clientY + (view?.scrollY ?? 0)) / height)),
  };
  const anchor = target ? describeCursorAnchor(target, clientX, clientY) : undefined;
  if (anchor) cursor.anchor = anchor;
  return cursor;
}

/** Document coordinates of an element anchor, or null when the path finds nothing here. */
export function resolveCursorAnchor(doc: Document, anchor: CursorAnchor): DocPoint | null {
  let element: Element | null;
  try {
    element = doc.querySelector(anchor.path);
  } catch {
    // A path from another page's DOM may not even be a valid selector here.
    return null;
  }
  if (!element) return null;
  const box = element.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) return null;
  const view = doc.defaultView;
  return {
    x: box.left + (view?.scrollX ?? 0) + anchor.fx * box.width,
    y: box.top + (view?.scrollY ?? 0) + anchor.fy * box.height,
  };
}

/** Where to draw a remote cursor: its element anchor if it resolves, else the x/y fallback. */
export function resolveCursor(doc: Document, cursor: Cursor): DocPoint {
  const anchored = cursor.anchor ? resolveCursorAnchor(doc, cursor.anchor) : null;
  if (anchored) return anchored;
  const { width, height } = documentSize(doc);
  return { x: cursor.x * width, y: cursor.y * height };
}
