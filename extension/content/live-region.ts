/**
 * The overlay's polite live region: what happens in the room that a screen reader user
 * would otherwise miss (a note or a reply from someone else). Each message is a new
 * child whose text is generated content (overlay-text.ts), so the page cannot read it,
 * while Chromium exposes it to accessibility as text (checked in tests/e2e/axe.test.ts).
 * A new child is an "addition", which every screen reader announces; the region is
 * visually hidden.
 */
import { setText } from './overlay-text.js';

/** Messages kept in the region: older ones were announced already. */
const KEEP = 3;

export interface LiveRegion {
  element: HTMLElement;
  announce(message: string): void;
}

export function createLiveRegion(doc: Document): LiveRegion {
  const element = doc.createElement('div');
  element.className = 'sr-only';
  element.setAttribute('role', 'log');
  element.setAttribute('aria-live', 'polite');
  element.setAttribute('data-collab-live', '');
  return {
    element,
    announce(message) {
      const line = doc.createElement('p');
      setText(line, message);
      element.append(line);
      while (element.childElementCount > KEEP) element.firstElementChild?.remove();
    },
  };
}
