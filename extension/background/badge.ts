/**
 * The toolbar badge: how many others are in the tab's room. Set per tab, so the
 * browser shows the active tab's count without us tracking which tab is active.
 */
import type { ChromeApi } from '../chrome-api.js';
import { joined, type OpenRoom } from './open-rooms.js';

const BADGE_COLOR = '#444444';

/** Shows the room's head count (others only) on each tab; `null` clears it. */
export function updateBadges(api: ChromeApi, tabIds: Iterable<number>, entry: OpenRoom | null): void {
  const membership = joined(entry);
  const count = membership ? membership.peers.size : 0;
  const text = count > 0 ? String(count) : '';
  const color = membership?.self.color ?? BADGE_COLOR;
  for (const tabId of tabIds) {
    // The tab may be gone already; a badge is not worth an error.
    api.setBadge(tabId, text, color).catch(() => undefined);
  }
}
