/**
 * What the notes view hears about the page while it has notes to place: every change of
 * the page's text at once (the text index is stale), the page settled after changes
 * (anchor again: late content, single-page apps), and the page's size changed (lay out
 * again). Off while there are no notes, so a page without notes costs nothing.
 */
import { observeChanges } from '../anchoring/index.js';

/** Re-anchoring waits for the page to be quiet this long after DOM changes. */
const SETTLE_MS = 400;

export interface PageEvents {
  textChanged(): void;
  settled(): void;
  resized(): void;
}

export class PageWatch {
  private stop: (() => void) | null = null;
  private readonly resize: ResizeObserver | null;

  constructor(
    private readonly doc: Document,
    private readonly events: PageEvents,
  ) {
    const view = doc.defaultView;
    this.resize = view?.ResizeObserver ? new view.ResizeObserver(() => events.resized()) : null;
  }

  get active(): boolean {
    return this.stop !== null;
  }

  setActive(active: boolean): void {
    const body = this.doc.body;
    if (active && !this.stop && body) {
      this.stop = observeChanges(body, () => this.events.settled(), SETTLE_MS, {
        onChange: () => this.events.textChanged(),
      });
      this.resize?.observe(body);
    } else if (!active && this.stop) {
      this.stop();
      this.stop = null;
      this.resize?.disconnect();
    }
  }
}
