/**
 * Captures the local pointer while the session is active. `pointermove` only records
 * the coordinates and target; the wire cursor (with its element anchor) is computed
 * once per sent frame by the frame throttle. Leaving the document (pointerleave, or a
 * pointerout towards nothing), hiding the page or pagehide sends `cursor:hide`. Only
 * trusted events count: a page script cannot move or hide the user's cursor for the others.
 */
import type { Cursor } from '../../protocol/index.js';
import { describeCursor } from './cursor-anchor.js';
import { createFrameThrottle, type FrameScheduler } from './frame-throttle.js';
import { trusted } from './trusted-events.js';

export interface CursorSink {
  move(cursor: Cursor): void;
  hide(): void;
}

export class CursorCapture {
  private clientX = 0;
  private clientY = 0;
  private target: Element | null = null;
  private visible = false;
  private enabled = false;
  private readonly throttle;
  private readonly onMove = trusted((event: PointerEvent): void => {
    this.clientX = event.clientX;
    this.clientY = event.clientY;
    this.target = event.target instanceof Element ? event.target : null;
    this.throttle.schedule();
  });
  private readonly onOut = trusted((event: PointerEvent): void => {
    // relatedTarget null: the pointer left the window, not just one element.
    if (event.relatedTarget === null) this.hide();
  });
  private readonly onLeave = trusted((event: PointerEvent): void => {
    // A capturing listener sees every element's pointerleave; only the document's counts.
    if (event.target === this.doc || event.target === this.doc.documentElement) this.hide();
  });
  private readonly onHidden = trusted((): void => {
    if (this.doc.visibilityState === 'hidden') this.hide();
  });
  private readonly onPageHide = trusted((): void => this.hide());

  constructor(
    private readonly doc: Document,
    private readonly sink: CursorSink,
    scheduler: FrameScheduler,
    /** True for targets inside our own overlay: those get no element anchor. */
    private readonly isOurs: (element: Element) => boolean,
  ) {
    // Leading edge: the first move after a pause goes out from the event, not a frame later:
    // that frame was most of the delay before the cursor started moving for the others.
    this.throttle = createFrameThrottle(() => this.flush(), scheduler, 30, { leading: true });
  }

  /** Listens only while the session is active, so an inactive page does no work at all. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    const doc = this.doc;
    const view = doc.defaultView;
    const options = { capture: true, passive: true };
    if (enabled) {
      doc.addEventListener('pointermove', this.onMove, options);
      doc.addEventListener('pointerout', this.onOut, options);
      doc.addEventListener('pointerleave', this.onLeave, options);
      doc.addEventListener('visibilitychange', this.onHidden, options);
      view?.addEventListener('pagehide', this.onPageHide, options);
      return;
    }
    doc.removeEventListener('pointermove', this.onMove, options);
    doc.removeEventListener('pointerout', this.onOut, options);
    doc.removeEventListener('pointerleave', this.onLeave, options);
    doc.removeEventListener('visibilitychange', this.onHidden, options);
    view?.removeEventListener('pagehide', this.onPageHide, options);
    this.throttle.cancel();
    this.visible = false;
  }

  /**
   * Sends the last known position again (a new session after the worker restarted):
   * a pointer that moved while the port was down would otherwise stay unseen until it
   * moves again.
   */
  resend(): void {
    if (this.enabled && this.visible) this.throttle.schedule();
  }

  private flush(): void {
    if (!this.enabled) return;
    const target = this.target && !this.isOurs(this.target) ? this.target : null;
    this.visible = true;
    this.sink.move(describeCursor(this.doc, this.clientX, this.clientY, target));
  }

  private hide(): void {
    this.throttle.cancel();
    if (!this.visible) return;
    this.visible = false;
    this.sink.hide();
  }
}
