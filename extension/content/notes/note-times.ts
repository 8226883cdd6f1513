/**
 * Keeps the cards' relative times true as time passes ("just now" becomes "2 minutes ago"
 * without the note changing). A card is rebuilt only when its note changes, so a tick
 * rewrites each shown `<time>`'s text from its `datetime`; nothing else of the card moves,
 * so focus and open editors are untouched. Runs only while notes are shown.
 */
import { relativeTime } from '../../shared/i18n.js';
import { setText } from '../overlay-text.js';

/** Relative times change at most once a minute; half of that keeps them at most 30 s late. */
export const TIME_REFRESH_MS = 30_000;

export class NoteTimes {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly root: ParentNode,
    private readonly every = TIME_REFRESH_MS,
  ) {}

  setActive(active: boolean): void {
    if (active && this.timer === null) this.timer = setInterval(() => this.refresh(), this.every);
    else if (!active && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Rewrites every shown time from its `datetime` (now, in the UI language). */
  refresh(now = Date.now()): void {
    for (const time of this.root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
      setText(time, relativeTime(time.dateTime, now));
    }
  }
}
