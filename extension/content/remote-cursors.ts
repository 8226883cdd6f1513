/**
 * Draws the others' cursors in the overlay: an arrow in the peer's colour and a label
 * with their name, one element per peer (`data-peer-id`), placed in document
 * coordinates. A short CSS transition smooths the jumps between server ticks.
 */
import type { Cursor, CursorEntry, Peer } from '../../protocol/index.js';
import { documentSize, resolveCursor } from './cursor-anchor.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const ARROW_PATH = 'M1.5 1.5 L1.5 17.5 L6 13.2 L9 20 L12 18.7 L9.1 12 L15.5 12 Z';
/** Room the arrow and its label need, so a cursor at the page's edge never widens the page. */
const ARROW_SIZE = { width: 18, height: 42 };
const LABEL_ROOM = 170;
const UNKNOWN_COLOR = '#6b6b6b';

interface Drawn {
  element: HTMLElement;
  arrow: SVGPathElement;
  label: HTMLElement;
  cursor: Cursor;
}

export class RemoteCursors {
  private readonly drawn = new Map<string, Drawn>();
  private peers = new Map<string, Peer>();

  constructor(
    private readonly layer: HTMLElement,
    private readonly doc: Document,
  ) {}

  /** The room's others; cursors of peers no longer present are removed. */
  setPeers(peers: readonly Peer[]): void {
    this.peers = new Map(peers.map((peer) => [peer.id, peer]));
    for (const [peerId, drawn] of this.drawn) {
      const peer = this.peers.get(peerId);
      if (peer) this.paint(drawn, peer);
      else this.remove(peerId);
    }
  }

  /** Applies one batch: new positions, and removals for `cursor: null`. */
  apply(entries: readonly CursorEntry[]): void {
    const size = documentSize(this.doc);
    for (const { peerId, cursor } of entries) {
      if (cursor === null) {
        this.remove(peerId);
        continue;
      }
      const drawn = this.drawn.get(peerId) ?? this.create(peerId);
      drawn.cursor = cursor;
      this.place(drawn, size);
    }
  }

  /** Re-places every cursor (after a resize the anchors land elsewhere). */
  relayout(): void {
    const size = documentSize(this.doc);
    for (const drawn of this.drawn.values()) this.place(drawn, size);
  }

  clear(): void {
    for (const peerId of [...this.drawn.keys()]) this.remove(peerId);
  }

  private create(peerId: string): Drawn {
    const doc = this.doc;
    const element = doc.createElement('div');
    element.className = 'cursor';
    element.setAttribute('data-peer-id', peerId);
    const svg = doc.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 18 22');
    svg.setAttribute('aria-hidden', 'true');
    const arrow = doc.createElementNS(SVG_NS, 'path');
    arrow.setAttribute('d', ARROW_PATH);
    arrow.setAttribute('stroke', '#ffffff');
    arrow.setAttribute('stroke-width', '1.5');
    arrow.setAttribute('stroke-linejoin', 'round');
    svg.append(arrow);
    const label = doc.createElement('span');
    label.className = 'label';
    element.append(svg, label);
    const drawn: Drawn = { element, arrow, label, cursor: { x: 0, y: 0 } };
    this.paint(drawn, this.peers.get(peerId));
    // No transition from the origin on the first placement.
    element.style.transition = 'none';
    this.layer.append(element);
    this.drawn.set(peerId, drawn);
    doc.defaultView?.requestAnimationFrame(() => element.style.removeProperty('transition'));
    return drawn;
  }

  private paint(drawn: Drawn, peer: Peer | undefined): void {
    const color = peer?.color ?? UNKNOWN_COLOR;
    drawn.arrow.setAttribute('fill', color);
    drawn.label.style.backgroundColor = color;
    drawn.label.textContent = peer?.name ?? 'Someone';
  }

  private place(drawn: Drawn, size: { width: number; height: number }): void {
    const point = resolveCursor(this.doc, drawn.cursor);
    const x = Math.round(Math.min(Math.max(0, point.x), size.width - ARROW_SIZE.width));
    const y = Math.round(Math.min(Math.max(0, point.y), size.height - ARROW_SIZE.height));
    drawn.element.classList.toggle('flip', x > size.width - LABEL_ROOM);
    drawn.element.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, y)}px)`;
  }

  private remove(peerId: string): void {
    this.drawn.get(peerId)?.element.remove();
    this.drawn.delete(peerId);
  }
}
