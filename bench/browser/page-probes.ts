/**
 * Code that runs in the pages' main world for the browser-path benchmark (passed to
 * `page.evaluate`). A's probe stamps every `pointermove`; B's probe stamps every change
 * of the remote cursor's drawn position in the overlay's shadow root. That root is closed
 * (so the page's own scripts cannot read or change the overlay), so the tool hands it to the probe through the DevTools protocol (see
 * `installDrawProbeIn` in pointer-latency.ts); the observer runs in the main world as before. Both stamp
 * with `performance.timeOrigin + performance.now()`, so two browsers on one machine
 * share a clock. bench/ has no DOM types (tsconfig.server.json): the few DOM shapes used
 * here are declared below. The functions avoid named inner functions, which tsx would
 * wrap in a helper that does not exist in the page.
 */

/** `[time ms, x px, y px]`: a pointer position (A) or a drawn cursor position (B). */
export type Stamp = [number, number, number];

interface ProbeElement {
  readonly style: { readonly transform: string };
  querySelector(selector: string): ProbeElement | null;
}

interface ProbeWindow {
  __latencyMoves?: Stamp[];
  __latencyDraws?: Stamp[];
  __latencyObserver?: { disconnect(): void };
  /** The cursor's `transform` as last drawn. */
  __latencyLast?: string;
}

declare const window: ProbeWindow;
declare const document: {
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
 * in `requestAnimationFrame`, so that is the frame that paints them. Called with the
 * overlay's shadow root as `this`.
 */
export function installDrawProbe(this: ProbeElement): void {
  window.__latencyObserver?.disconnect();
  window.__latencyDraws = [];
  let last = this.querySelector('[data-peer-id]')?.style.transform ?? '';
  window.__latencyLast = last;
  const observer = new MutationObserver(() => {
    const transform = this.querySelector('[data-peer-id]')?.style.transform ?? '';
    if (transform === last) return;
    last = transform;
    window.__latencyLast = transform;
    const match = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(transform);
    if (match) {
      window.__latencyDraws?.push([
        performance.timeOrigin + performance.now(),
        Number(match[1]),
        Number(match[2]),
      ]);
    }
  });
  observer.observe(this, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
  window.__latencyObserver = observer;
}

/** True once B's draw probe saw the remote cursor drawn at `[x, y]` (document px). */
export function drawnAt([x, y]: [number, number]): boolean {
  return window.__latencyLast === `translate(${x}px, ${y}px)`;
}

/** Takes (and clears) what a probe recorded. */
export function takeStamps(kind: 'moves' | 'draws'): Stamp[] {
  const key = kind === 'moves' ? '__latencyMoves' : '__latencyDraws';
  const stamps = window[key] ?? [];
  window[key] = [];
  return stamps;
}
