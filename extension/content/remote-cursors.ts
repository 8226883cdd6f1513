/**
 * Draws the others' cursors in the overlay: an arrow in the peer's colour and a label
 * with their name (generated content, which the page cannot find), one element per peer (`data-peer-id`), placed in document
 * coordinates. Between two updates the cursor glides from where it is drawn to the new
 * point over the time the last update took to come (at most {@link MAX_GLIDE_MS}), so
 * motion is smooth and never lags more than one update interval. A cursor outside the
 * viewport becomes an edge marker (`data-edge`): pinned to the nearest viewport edge,
 * with the name and an arrow pointing to where the cursor is. Idle peers are dimmed.
 */
import type { Cursor, CursorEntry, Peer } from '../../protocol/index.js';
import { inkOn } from './contrast.js';
import { documentSize, resolveCursor, type DocPoint } from './cursor-anchor.js';
import { setText } from './overlay-text.js';
import { safeColor, safeName } from './safe-values.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const ARROW_PATH = 'M1.5 1.5 L1.5 17.5 L6 13.2 L9 20 L12 18.7 L9.1 12 L15.5 12 Z';
/** Room the arrow and its label need, so a cursor at the page's edge never widens the page. */
const ARROW_SIZE = { width: 18, height: 42 };
const LABEL_ROOM = 170;
const UNKNOWN_COLOR = '#6b6b6b';
/** The longest glide: one sender interval at 30 Hz, so smoothing never lags by more than one update. */
export const MAX_GLIDE_MS = 34;
/** How far from the viewport's edge an edge marker sits. */
const EDGE_INSET = 8;
const EDGE_MARKER = { width: 150, height: 26 };

type Edge = 'top' | 'bottom' | 'left' | 'right';

interface Drawn {
  element: HTMLElement;
  arrow: SVGPathElement;
  label: HTMLElement;
  cursor: Cursor;
  /** Where the cursor is drawn now, and where it glides from and to (document coordinates). */
  at: DocPoint;
  from: DocPoint;
  to: DocPoint;
  start: number;
  duration: number;
  /** When the last update for this peer arrived. */
  updated: number;
}

export class RemoteCursors {
  private readonly drawn = new Map<string, Drawn>();
  private peers = new Map<string, Peer>();
  private frame: number | null = null;
  private readonly view: Window;

  constructor(
    private readonly layer: HTMLElement,
    private readonly doc: Document,
  ) {
    this.view = doc.defaultView ?? window;
    // Edge markers follow the viewport; a scroll may also bring a cursor back into view.
    this.view.addEventListener('scroll', () => this.schedule(), { passive: true });
  }

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
    const now = this.view.performance.now();
    for (const { peerId, cursor } of entries) {
      if (cursor === null) {
        this.remove(peerId);
        continue;
      }
      const existing = this.drawn.get(peerId);
      const drawn = existing ?? this.create(peerId);
      drawn.cursor = cursor;
      const target = resolveCursor(this.doc, cursor);
      if (!existing) {
        drawn.at = drawn.from = drawn.to = target;
        drawn.duration = 0;
      } else {
        drawn.from = drawn.at;
        drawn.to = target;
        drawn.duration = Math.min(MAX_GLIDE_MS, now - drawn.updated);
      }
      drawn.start = now;
      drawn.updated = now;
    }
    this.render(now);
  }

  /** Re-places every cursor at once (resize or zoom: the anchors land elsewhere). */
  relayout(): void {
    for (const drawn of this.drawn.values()) {
      drawn.at = drawn.from = drawn.to = resolveCursor(this.doc, drawn.cursor);
      drawn.duration = 0;
    }
    this.render(this.view.performance.now());
  }

  clear(): void {
    for (const peerId of [...this.drawn.keys()]) this.remove(peerId);
  }

  private schedule(): void {
    if (this.frame !== null || this.drawn.size === 0) return;
    this.frame = this.view.requestAnimationFrame(() => {
      this.frame = null;
      // performance.now(), not the frame's timestamp: that is when the frame began, often
      // before the update that started the glide arrived, and a glide time before its start
      // drew the cursor backwards, away from its target, for a frame.
      this.render(this.view.performance.now());
    });
  }

  private render(now: number): void {
    const size = documentSize(this.doc);
    let moving = false;
    for (const drawn of this.drawn.values()) {
      const t = drawn.duration > 0 ? Math.min(1, Math.max(0, (now - drawn.start) / drawn.duration)) : 1;
      drawn.at = {
        x: drawn.from.x + (drawn.to.x - drawn.from.x) * t,
        y: drawn.from.y + (drawn.to.y - drawn.from.y) * t,
      };
      if (t < 1) moving = true;
      this.place(drawn, size);
    }
    if (moving) this.schedule();
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
    const origin = { x: 0, y: 0 };
    const drawn: Drawn = {
      element,
      arrow,
      label,
      cursor: origin,
      at: origin,
      from: origin,
      to: origin,
      start: 0,
      duration: 0,
      updated: this.view.performance.now(),
    };
    this.paint(drawn, this.peers.get(peerId));
    this.layer.append(element);
    this.drawn.set(peerId, drawn);
    return drawn;
  }

  private paint(drawn: Drawn, peer: Peer | undefined): void {
    // Checked again here: the colour reaches a style and the name the label, and the server may be hostile.
    const color = safeColor(peer?.color, UNKNOWN_COLOR);
    drawn.arrow.setAttribute('fill', color);
    drawn.label.style.backgroundColor = color;
    // Black or white, whichever reads on this colour: white on a light blue was 3.3:1.
    drawn.label.style.setProperty('--label-ink', inkOn(color));
    setText(drawn.label, safeName(peer?.name));
    drawn.element.classList.toggle('idle', peer?.idle === true);
    drawn.element.setAttribute('data-idle', String(peer?.idle === true));
  }

  /** The viewport in document coordinates. */
  private viewport(): { left: number; top: number; width: number; height: number } {
    const root = this.doc.documentElement;
    return {
      left: this.view.scrollX,
      top: this.view.scrollY,
      width: root.clientWidth || this.view.innerWidth,
      height: root.clientHeight || this.view.innerHeight,
    };
  }

  private place(drawn: Drawn, size: { width: number; height: number }): void {
    const { x: px, y: py } = drawn.at;
    const vp = this.viewport();
    const edge: Edge | null =
      py < vp.top
        ? 'top'
        : py > vp.top + vp.height
          ? 'bottom'
          : px < vp.left
            ? 'left'
            : px > vp.left + vp.width
              ? 'right'
              : null;
    const element = drawn.element;
    if (edge) {
      // Pinned inside the viewport, as close to the cursor as the edge allows.
      const x = clamp(
        px - EDGE_MARKER.width / 2,
        vp.left + EDGE_INSET,
        vp.left + vp.width - EDGE_MARKER.width - EDGE_INSET,
      );
      const y = clamp(
        py - EDGE_MARKER.height / 2,
        vp.top + EDGE_INSET,
        vp.top + vp.height - EDGE_MARKER.height - EDGE_INSET,
      );
      const angle = Math.atan2(py - (y + EDGE_MARKER.height / 2), px - (x + EDGE_MARKER.width / 2));
      element.setAttribute('data-edge', edge);
      element.classList.remove('flip');
      element.style.setProperty('--edge-angle', `${angle}rad`);
      element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
      return;
    }
    element.removeAttribute('data-edge');
    const x = Math.round(clamp(px, 0, size.width - ARROW_SIZE.width));
    const y = Math.round(clamp(py, 0, size.height - ARROW_SIZE.height));
    element.classList.toggle('flip', x > size.width - LABEL_ROOM);
    element.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, y)}px)`;
  }

  private remove(peerId: string): void {
    this.drawn.get(peerId)?.element.remove();
    this.drawn.delete(peerId);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}
