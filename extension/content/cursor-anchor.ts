/**
 * Cursor positions that survive different window sizes. `describeCursor` turns a
 * pointer position into the wire `Cursor`: fractions of the document's scroll size
 * plus, where possible, an element anchor (a short CSS path and the fractional offset
 * inside that element's box). `resolveCursor` turns it back into document coordinates,
 * preferring the element when it exists on this page. Pure DOM, no extension APIs.
 */
import type { Cursor, CursorAnchor } from '../../protocol/index.js';
import { cssPath } from './anchoring/css-path.js';
import { closestTextBlock } from './anchoring/text-blocks.js';

export { cssPath };

/** A point in document coordinates (CSS pixels from the top-left of the page). */
export interface DocPoint {
  x: number;
  y: number;
}

const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

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

/** The box of one character, or null when it has none (collapsed white space). */
function charRect(doc: Document, node: Text, offset: number): DOMRect | null {
  if (offset < 0 || offset >= node.data.length) return null;
  const range = doc.createRange();
  range.setStart(node, offset);
  range.setEnd(node, offset + 1);
  const rect = range.getClientRects()[0];
  return rect && rect.width > 0 && rect.height > 0 ? rect : null;
}

/** Slack around a character's box, so a pointer between two letters still counts as on the text. */
const CHAR_SLACK_PX = 1;

/**
 * The character under a client point: its text node, offset and box. Null when the
 * point is not over text (margins, images, blank space at the end of a line).
 */
function charAt(
  doc: Document,
  clientX: number,
  clientY: number,
): { node: Text; offset: number; rect: DOMRect } | null {
  const caret = doc.caretRangeFromPoint?.(clientX, clientY);
  const node = caret?.startContainer;
  if (!caret || !(node instanceof Text)) return null;
  // The caret sits between two characters: the pointer is over the one before or after it.
  for (const offset of [caret.startOffset, caret.startOffset - 1]) {
    const rect = charRect(doc, node, offset);
    if (
      rect &&
      clientX >= rect.left - CHAR_SLACK_PX &&
      clientX <= rect.right + CHAR_SLACK_PX &&
      clientY >= rect.top - CHAR_SLACK_PX &&
      clientY <= rect.bottom + CHAR_SLACK_PX
    ) {
      return { node, offset, rect };
    }
  }
  return null;
}

/** Offset of (node, offset) in the text of `root`, counted over its text nodes in order. */
function textOffsetIn(root: Element, node: Text, offset: number): number | null {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let total = 0;
  for (let current = walker.nextNode(); current; current = walker.nextNode()) {
    if (current === node) return total + offset;
    total += (current as Text).data.length;
  }
  return null;
}

/** The text node and offset inside it at a text offset of `root`. */
function textPositionIn(root: Element, target: number): { node: Text; offset: number } | null {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let total = 0;
  for (let current = walker.nextNode(); current; current = walker.nextNode()) {
    const length = (current as Text).data.length;
    if (target < total + length) return { node: current as Text, offset: target - total };
    total += length;
  }
  return null;
}

/**
 * The anchor of a pointer over text: the block holding it, the pointer's place in the
 * block's box, and the character under the pointer. Null when the point is not on text.
 */
export function describeTextAnchor(doc: Document, clientX: number, clientY: number): CursorAnchor | null {
  const char = charAt(doc, clientX, clientY);
  if (!char) return null;
  // The text block (text-blocks.ts) holds whole lines: a reflow keeps its words, not their places.
  const block = closestTextBlock(char.node);
  if (!block || !doc.body.contains(block)) return null;
  const offset = textOffsetIn(block, char.node, char.offset);
  const anchor = offset === null ? undefined : describeCursorAnchor(block, clientX, clientY);
  if (offset === null || !anchor) return null;
  const { rect } = char;
  anchor.text = {
    offset,
    fx: round4(clamp01((clientX - rect.left) / rect.width)),
    fy: round4(clamp01((clientY - rect.top) / rect.height)),
  };
  return anchor;
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
  if (!target) return cursor;
  const anchor = describeTextAnchor(doc, clientX, clientY) ?? describeCursorAnchor(target, clientX, clientY);
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
  const view = doc.defaultView;
  if (anchor.text) {
    const position = textPositionIn(element, anchor.text.offset);
    const rect = position && charRect(doc, position.node, position.offset);
    if (rect) {
      return {
        x: rect.left + (view?.scrollX ?? 0) + anchor.text.fx * rect.width,
        y: rect.top + (view?.scrollY ?? 0) + anchor.text.fy * rect.height,
      };
    }
  }
  const box = element.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) return null;
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
