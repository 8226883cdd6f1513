/**
 * A flat view of a subtree's text: the concatenation of its text nodes (exactly
 * `root.textContent`) with each node's start offset, and conversions between DOM
 * boundary points and offsets into that text.
 */

export interface TextIndex {
  /** All text of the subtree, in document order. */
  text: string;
  nodes: Text[];
  /** `starts[i]` is the offset of `nodes[i]` in `text`. */
  starts: number[];
}

export function buildTextIndex(root: Node): TextIndex {
  const doc = root.ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  const starts: number[] = [];
  const parts: string[] = [];
  let offset = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    nodes.push(text);
    starts.push(offset);
    parts.push(text.data);
    offset += text.data.length;
  }
  return { text: parts.join(''), nodes, starts };
}

/** Offset in the index's text of a DOM boundary point (a range's start or end). */
export function offsetOfPoint(index: TextIndex, container: Node, offset: number): number {
  if (container.nodeType === Node.TEXT_NODE) {
    const i = index.nodes.indexOf(container as Text);
    if (i >= 0) return (index.starts[i] ?? 0) + Math.min(offset, (container as Text).data.length);
  }
  // An element boundary (or a text node outside the index): the offset of the first
  // indexed text node at or after the point.
  const doc = container.ownerDocument ?? (container as Document);
  const point = doc.createRange();
  point.setStart(container, offset);
  point.collapse(true);
  for (let i = 0; i < index.nodes.length; i++) {
    const node = index.nodes[i];
    if (node && point.comparePoint(node, 0) >= 0) return index.starts[i] ?? 0;
  }
  return index.text.length;
}

/** A DOM range over `text[start, end)`, or null when the offsets do not fit. */
export function rangeFromOffsets(index: TextIndex, start: number, end: number): Range | null {
  if (start < 0 || end < start || end > index.text.length) return null;
  let startNode: Text | null = null;
  let startOffset = 0;
  let endNode: Text | null = null;
  let endOffset = 0;
  for (let i = 0; i < index.nodes.length; i++) {
    const node = index.nodes[i];
    const nodeStart = index.starts[i];
    if (!node || nodeStart === undefined || node.data.length === 0) continue;
    const nodeEnd = nodeStart + node.data.length;
    // A start on a node boundary belongs to the next node, an end to the previous one.
    if (!startNode && start < nodeEnd) {
      startNode = node;
      startOffset = start - nodeStart;
    }
    if (startNode && end <= nodeEnd) {
      endNode = node;
      endOffset = end - nodeStart;
      break;
    }
  }
  if (!startNode || !endNode) return null;
  const range = startNode.ownerDocument.createRange();
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  return range;
}
