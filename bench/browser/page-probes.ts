/**
 * Code that runs in the pages' main world for the browser-path benchmark (passed to
 * `page.evaluate`). A's probe stamps every `pointermove`; B's probe stamps every change
 * of the remote cursor's drawn position in the overlay's open shadow root. Both stamp
 * with `performance.timeOrigin + performance.now()`, so two browsers on one machine
 * share a clock. bench/ has no DOM types (tsconfig.server.json): the few DOM shapes used
 * here are declared below. The functions avoid named inner functions, which tsx would
 * wrap in a helper that does not exist in the page.
 */

/** `[time ms, x px, y px]`: a pointer position (A) or a drawn cursor position (B). */
export type Stamp = [number, number, number];

interface ProbeElement {
  readonly shadowRoot: ProbeElement | null;
  readonly style: { readonly transform: string };
  querySelector(selector: string): ProbeElement | null;
}

interface ProbeWindow {
  __latencyMoves?: Stamp[];
  __latencyDraws?: Stamp[];
  __latencyObserver?: { disconnect(): void };
}

declare const window: ProbeWindow;
declare const document: {
  querySelector(selector: string): ProbeElement | null;
  addEventListener(
    type: 'pointermove',
    listener: (event: { clientX: number; clientY: number }) => void,
    options: { capture: boolean; passive: boolean },
  ): void;
};
declare class MutationObserver {
  constructor(callback: () => void);
  observe(
    target: ProbeElement,
    options: { subtree: boolean; childList: boolean; attributes: boolean; attributeFilter: string[] },
  ): void;
  disconnect(): void;
}

/** A: one stamp per `pointermove` the page sees (a capturing listener, like the content script's). */
export function installMoveProbe(): void {
  if (window.__latencyMoves) return;
  window.__latencyMoves = [];
  document.addEventListener(
    'pointermove',
    (event) => {
      window.__latencyMoves?.push([performance.timeOrigin + performance.now(), event.clientX, event.clientY]);
    },
    { capture: true, passive: true },
  );
}

/**
 * B: one stamp per change of the first remote cursor's `transform` (`translate(Xpx, Ypx)`,
 * document coordinates). A MutationObserver callback runs right after the script that
 * wrote the style, so the stamp is the time of the write; the overlay writes positions
 * in `requestAnimationFrame`, so that is the frame that paints them. False when the
 * overlay is not on the page yet.
 */
export function installDrawProbe(): boolean {
  const host = document.querySelector('[data-collab-root]');
  const root = host?.shadowRoot;
  if (!root) return false;
  window.__latencyObserver?.disconnect();
  window.__latencyDraws = [];
  let last = '';
  const observer = new MutationObserver(() => {
    const transform = root.querySelector('[data-peer-id]')?.style.transform ?? '';
    if (transform === last) return;
    last = transform;
    const match = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(transform);
    if (match) {
      window.__latencyDraws?.push([
        performance.timeOrigin + performance.now(),
        Number(match[1]),
        Number(match[2]),
      ]);
    }
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
  window.__latencyObserver = observer;
  return true;
}

/** Takes (and clears) what a probe recorded. */
export function takeStamps(kind: 'moves' | 'draws'): Stamp[] {
  const key = kind === 'moves' ? '__latencyMoves' : '__latencyDraws';
  const stamps = window[key] ?? [];
  window[key] = [];
  return stamps;
}
