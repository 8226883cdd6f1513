/**
 * A flat, whitespace-normalised view of a subtree's text and conversions between DOM
 * boundary points and offsets into it. This "page text" is what every selector's
 * offsets and quotes refer to:
 * - the text nodes under the root in document order, skipping `script`, `style`,
 *   `noscript`, `template` and our own overlay host (`[data-collab-root]`);
 * - every run of whitespace (including no-break spaces) is one space, and leading
 *   whitespace is dropped;
 * - a text block boundary (text-blocks.ts: a `p`, `li`, `div`, ...) or a `br` between
 *   two runs of text counts as whitespace, so `<p>One</p><p>Two</p>` reads "One Two"
 *   whatever the page's indentation;
 * - soft hyphens and zero-width spaces are not text.
 * The same words therefore give the same text on the page that made a note and on a
 * rewritten copy of it. Built once per anchoring pass: O(text) time and memory.
 */
import { isTextBlock } from './text-blocks.js';

/** Marks our overlay host; nothing inside it is page text. */
export const OVERLAY_ROOT_ATTRIBUTE = 'data-collab-root';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);

export interface TextIndex {
  /** The normalised text of the subtree. */
  text: string;
  /** Indexed text nodes in document order. */
  nodes: Text[];
  /** `starts[i]`: offset in `text` of the first character `nodes[i]` contributes. */
  starts: number[];
  /** `ends[i]`: offset in `text` just after the last character `nodes[i]` contributes. */
  ends: number[];
  /** `spaceBefore[i]`: whether the text before `nodes[i]` ends in a (collapsing) space. */
  spaceBefore: boolean[];
  /** Position of each node in `nodes`. */
  position: Map<Text, number>;
  root: Node;
}

/** 0: not text (dropped), 1: whitespace, 2: anything else. */
function kindOf(code: number): 0 | 1 | 2 {
  if (code === 32 || (code >= 9 && code <= 13) || code === 160) return 1;
  if (code < 128) return 2;
  if (code === 0xad || code === 0x200b || code === 0xfeff) return 0;
  if (code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029) return 1;
  if (code === 0x202f || code === 0x205f || code === 0x3000) return 1;
  return 2;
}

function isSkipped(element: Element): boolean {
  return SKIPPED.has(element.tagName.toUpperCase()) || element.hasAttribute(OVERLAY_ROOT_ATTRIBUTE);
}

/** Nearest block element at or above `node` (stopping at `root`), cached per parent. */
function blockOf(node: Node, root: Node, cache: Map<Node, Node>): Node {
  const parent = node.parentNode;
  if (!parent || node === root) return root;
  const cached = cache.get(parent);
  if (cached) return cached;
  let block: Node = root;
  for (let current: Node | null = parent; current && current !== root; current = current.parentNode) {
    if (isTextBlock(current)) {
      block = current;
      break;
    }
  }
  cache.set(parent, block);
  return block;
}

export function buildTextIndex(root: Node): TextIndex {
  const nodes: Text[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const spaceBefore: boolean[] = [];
  const position = new Map<Text, number>();
  const parts: string[] = [];
  const blocks = new Map<Node, Node>();
  let length = 0;
  let lastWasSpace = true; // drops leading whitespace
  let pendingBreak = false;
  let previousBlock: Node | null = null;

  const visitText = (node: Text): void => {
    const block = blockOf(node, root, blocks);
    if (previousBlock !== null && block !== previousBlock) pendingBreak = true;
    const data = node.data;
    let piece = '';
    let first = true;
    let leadingSpace = false;
    for (let i = 0; i < data.length; i++) {
      const kind = kindOf(data.charCodeAt(i));
      if (kind === 0) continue;
      if (first) {
        if (kind === 1) {
          leadingSpace = true;
          continue;
        }
        // Leading whitespace and block boundaries since the last text read as one
        // space, kept outside the node so that a node's text starts with a word.
        if ((pendingBreak || leadingSpace) && !lastWasSpace) {
          parts.push(' ');
          length++;
          lastWasSpace = true;
        }
        pendingBreak = false;
        first = false;
        nodes.push(node);
        starts.push(length);
        spaceBefore.push(lastWasSpace);
      }
      if (kind === 1) {
        if (!lastWasSpace) {
          piece += ' ';
          lastWasSpace = true;
        }
      } else {
        piece += data[i];
        lastWasSpace = false;
      }
    }
    if (first) {
      // Whitespace only (or nothing): whitespace still separates words.
      if (leadingSpace) pendingBreak = true;
      previousBlock = block;
      return;
    }
    position.set(node, nodes.length - 1);
    parts.push(piece);
    length += piece.length;
    ends.push(length);
    previousBlock = block;
  };

  if (root.nodeType === TEXT_NODE) {
    visitText(root as Text);
  } else {
    let node: Node | null = root.firstChild;
    while (node) {
      let descend = false;
      if (node.nodeType === TEXT_NODE) {
        visitText(node as Text);
      } else if (node.nodeType === ELEMENT_NODE) {
        const element = node as Element;
        if (element.tagName.toUpperCase() === 'BR') pendingBreak = true;
        descend = !isSkipped(element) && node.firstChild !== null;
      }
      if (descend) {
        node = node.firstChild;
        continue;
      }
      while (node && node !== root && !node.nextSibling) node = node.parentNode;
      node = node && node !== root ? node.nextSibling : null;
    }
  }
  return { text: parts.join(''), nodes, starts, ends, spaceBefore, position, root };
}

/**
 * Normalised characters `node` contributes from its first `rawOffset` characters, given
 * whether the text before it ended in a space. Mirrors `buildTextIndex`.
 */
function normalisedLength(data: string, rawOffset: number, spaceBefore: boolean): number {
  let count = 0;
  let lastWasSpace = spaceBefore;
  let started = false;
  for (let i = 0; i < rawOffset && i < data.length; i++) {
    const kind = kindOf(data.charCodeAt(i));
    if (kind === 0) continue;
    if (!started && kind === 1) continue;
    started = true;
    if (kind === 1) {
      if (!lastWasSpace) count++;
      lastWasSpace = true;
    } else {
      count++;
      lastWasSpace = false;
    }
  }
  return count;
}

/** Raw offset in `data` where normalised character `k` of the node begins (or after its last). */
function rawOffsetOf(data: string, k: number, spaceBefore: boolean, edge: 'start' | 'end'): number {
  let count = 0;
  let lastWasSpace = spaceBefore;
  let started = false;
  for (let i = 0; i < data.length; i++) {
    const kind = kindOf(data.charCodeAt(i));
    if (kind === 0) continue;
    if (!started && kind === 1) continue;
    started = true;
    const emits = kind === 2 || !lastWasSpace;
    lastWasSpace = kind === 1;
    if (!emits) continue;
    if (edge === 'start' && count === k) return i;
    count++;
    if (edge === 'end' && count === k) return i + 1;
  }
  return data.length;
}

/** Index of the first indexed text node at or after a DOM boundary point, or nodes.length. */
function firstNodeAtOrAfter(index: TextIndex, container: Node, offset: number): number {
  let node: Node | null;
  if (container.nodeType === TEXT_NODE) {
    node = container;
  } else if (offset < container.childNodes.length) {
    node = container.childNodes[offset] ?? null;
  } else {
    // After the container's last child: continue after the container.
    node = container;
    while (node && node !== index.root && !node.nextSibling) node = node.parentNode;
    node = node && node !== index.root ? node.nextSibling : null;
  }
  while (node) {
    if (node.nodeType === TEXT_NODE) {
      const i = index.position.get(node as Text);
      if (i !== undefined) return i;
    }
    if (node.firstChild && node.nodeType === ELEMENT_NODE) {
      node = node.firstChild;
      continue;
    }
    while (node && node !== index.root && !node.nextSibling) node = node.parentNode;
    node = node && node !== index.root ? node.nextSibling : null;
  }
  return index.nodes.length;
}

/** Offset in the index's text of a DOM boundary point (a range's start or end). */
export function offsetOfPoint(index: TextIndex, container: Node, offset: number): number {
  if (container.nodeType === TEXT_NODE) {
    const i = index.position.get(container as Text);
    if (i !== undefined) {
      const start = index.starts[i] ?? 0;
      const spaceBefore = index.spaceBefore[i] ?? true;
      return start + normalisedLength((container as Text).data, offset, spaceBefore);
    }
  }
  const i = firstNodeAtOrAfter(index, container, offset);
  return i < index.nodes.length ? (index.starts[i] ?? 0) : index.text.length;
}

/** Normalised offsets of a range in the index's text. */
export function offsetsOfRange(index: TextIndex, range: Range): { start: number; end: number } {
  const start = offsetOfPoint(index, range.startContainer, range.startOffset);
  const end = offsetOfPoint(index, range.endContainer, range.endOffset);
  return { start, end: Math.max(start, end) };
}

/** First i with ends[i] > offset (binary search). */
function nodeEndingAfter(index: TextIndex, offset: number): number {
  let lo = 0;
  let hi = index.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((index.ends[mid] ?? 0) > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Last i with starts[i] < offset (binary search), or -1. */
function nodeStartingBefore(index: TextIndex, offset: number): number {
  let lo = 0;
  let hi = index.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((index.starts[mid] ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A DOM range over `text[start, end)`, or null when the offsets do not fit. */
export function rangeFromOffsets(index: TextIndex, start: number, end: number): Range | null {
  if (start < 0 || end <= start || end > index.text.length) return null;
  const first = nodeEndingAfter(index, start);
  const last = nodeStartingBefore(index, end);
  const startNode = index.nodes[first];
  const endNode = index.nodes[last];
  if (!startNode || !endNode || first > last) return null;
  const startOffset = rawOffsetOf(
    startNode.data,
    Math.max(0, start - (index.starts[first] ?? 0)),
    index.spaceBefore[first] ?? true,
    'start',
  );
  const endOffset = rawOffsetOf(
    endNode.data,
    Math.min(end, index.ends[last] ?? end) - (index.starts[last] ?? 0),
    index.spaceBefore[last] ?? true,
    'end',
  );
  const range = startNode.ownerDocument.createRange();
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  return range;
}
