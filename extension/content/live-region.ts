/**
 * The overlay's polite live region: what happens in the room that a screen reader user
 * would otherwise miss (a note or a reply from someone else). Each message is a new
 * child whose text is generated content (overlay-text.ts), so the page cannot read it,
 * while Chromium exposes it to accessibility as text (checked in tests/e2e/keyboard.test.ts).
 * A new child is an "addition", which every screen reader announces; the region is
 * visually hidden. Messages that come together (someone imports fifty notes: fifty
 * `note:created`) are said as the first few and a count, not fifty times.
 */
import { t } from '../shared/i18n.js';
import { setText } from './overlay-text.js';

/** Messages arriving within this long of the first are said together. */
export const GATHER_MS = 400;
/** Said in full from one gathering; the rest as a count. */
const IN_FULL = 2;
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
  let gathered: string[] = [];
  let timer: number | undefined;

  const say = (message: string): void => {
    const line = doc.createElement('p');
    setText(line, message);
    element.append(line);
    while (element.childElementCount > KEEP) element.firstElementChild?.remove();
  };
  const flush = (): void => {
    timer = undefined;
    const messages = gathered;
    gathered = [];
    if (messages.length <= IN_FULL + 1) messages.forEach(say);
    else {
      messages.slice(0, IN_FULL).forEach(say);
      say(t('a11yMoreArrived', String(messages.length - IN_FULL)));
    }
  };
  return {
    element,
    announce(message) {
      gathered.push(message);
      timer ??= doc.defaultView?.setTimeout(flush, GATHER_MS);
    },
  };
}
