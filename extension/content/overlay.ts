/**
 * The one element we add to the page: a host on `document.documentElement` with the
 * attribute `data-collab-root` and a closed shadow root that holds all our UI, so the
 * page's CSS cannot reach it and ours cannot reach the page. The root is closed and only
 * this content script holds its reference, so the page can read nothing of ours:
 * `host.shadowRoot` is null for the
 * page, the host carries nothing but `data-collab-root`, and every string inside is CSS
 * generated content (overlay-text.ts), so the page can neither query nor find it. Keys
 * and text typed into our editors are stopped before any page listener by the
 * document_start key shield (key-shield.iife.ts) and reach the editors through
 * {@link Overlay.listen}. The host is a 0x0 box at the document origin, so children
 * positioned absolutely are in document coordinates. Layers: remote cursors, note cards,
 * the note composer (all `pointer-events: none` except elements that take clicks), and
 * fixed panels (orphaned notes, messages).
 */
import { keyShield, type SHIELDED_EVENTS } from './key-shield-api.js';
import { OVERLAY_CSS } from './overlay-css.js';
import { createLiveRegion } from './live-region.js';
import { setText } from './overlay-text.js';
import { safeColor } from './safe-values.js';
import { uiLanguage } from '../shared/i18n.js';

export interface Overlay {
  host: HTMLElement;
  /** The closed root: only the content script has it. */
  shadow: ShadowRoot;
  cursors: HTMLElement;
  notes: HTMLElement;
  composer: HTMLElement;
  /** Fixed panel listing notes that could not be placed on this page. */
  orphans: HTMLElement;
  /** Shows (text) or hides (null) the small "sharing is on" pill in the page's corner. */
  setIndicator(text: string | null, color?: string): void;
  /** Shows a short message to the user for a few seconds. */
  toast(message: string): void;
  /** Says `message` politely to screen readers (live region), shows nothing. */
  announce(message: string): void;
  /**
   * Listens to a typing event (keys, input, IME, clipboard) on an element of ours. With the
   * key shield the event never propagates past the window, so the overlay calls `handler`
   * for the focused element and then its ancestors, as bubbling would, until one calls
   * `preventDefault()`; without the shield, as an ordinary listener.
   */
  listen<K extends (typeof SHIELDED_EVENTS)[number]>(
    element: HTMLElement,
    type: K,
    handler: (event: K extends keyof HTMLElementEventMap ? HTMLElementEventMap[K] : Event) => void,
  ): void;
  /** Called for every key the shield took from the window (the user is active). */
  onTyping(listener: () => void): void;
  /** True when `event` happened inside our UI. */
  contains(event: Event): boolean;
  remove(): void;
}

const HOST_STYLE: Record<string, string> = {
  position: 'absolute',
  top: '0',
  left: '0',
  width: '0',
  height: '0',
  margin: '0',
  padding: '0',
  border: '0',
  overflow: 'visible',
  'z-index': '2147483647',
  'pointer-events': 'none',
  display: 'block',
};

function layer(doc: Document, className: string): HTMLElement {
  const element = doc.createElement('div');
  element.className = className;
  return element;
}

export function createOverlay(doc: Document): Overlay {
  const host = doc.createElement('copresence-overlay');
  host.setAttribute('data-collab-root', '');
  for (const [property, value] of Object.entries(HOST_STYLE))
    host.style.setProperty(property, value, 'important');
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = OVERLAY_CSS;
  const cursors = layer(doc, 'layer cursors');
  // Cursors move many times a second: a screen reader must not hear them.
  cursors.setAttribute('aria-hidden', 'true');
  const notes = layer(doc, 'layer notes');
  const composer = layer(doc, 'layer composer');
  const orphans = layer(doc, 'orphans');
  orphans.hidden = true;
  const indicator = layer(doc, 'indicator');
  indicator.setAttribute('data-collab-indicator', '');
  indicator.setAttribute('role', 'status');
  indicator.hidden = true;
  const indicatorDot = layer(doc, 'dot');
  const indicatorText = doc.createElement('span');
  indicator.append(indicatorDot, indicatorText);
  const toastBox = layer(doc, 'toast');
  toastBox.hidden = true;
  toastBox.setAttribute('role', 'status');
  const live = createLiveRegion(doc);
  // Our words are in the UI's language, whatever the page's: screen readers voice them so.
  for (const element of [notes, composer, orphans, indicator, toastBox, live.element])
    element.lang = uiLanguage();
  shadow.append(style, notes, cursors, composer, orphans, indicator, toastBox, live.element);
  // Keys typed into our editor must not trigger the page's shortcuts.
  for (const type of ['keydown', 'keyup', 'keypress']) {
    shadow.addEventListener(type, (event) => event.stopPropagation());
  }
  doc.documentElement.append(host);

  // Typing handlers by element, for the events the shield stops at the window.
  const typing = new WeakMap<EventTarget, Map<string, Array<(event: Event) => void>>>();
  const typingListeners: Array<() => void> = [];
  const shield = keyShield();
  if (shield) {
    shield.host = host;
    shield.route = (event) => {
      // The event was typed into our focused element (the window saw it retargeted to the host).
      const focused = shield.host === host ? shadow.activeElement : null;
      if (event.type === 'keydown') for (const listener of typingListeners) listener();
      // As bubbling would: the focused element first, then its ancestors, until one takes the key.
      for (let node: Element | null = focused; node && !event.defaultPrevented; node = node.parentElement) {
        for (const handler of typing.get(node)?.get(event.type) ?? []) handler(event);
      }
    };
  }

  let toastTimer: number | undefined;
  return {
    host,
    shadow,
    cursors,
    notes,
    composer,
    orphans,
    setIndicator(text, color) {
      indicator.hidden = text === null;
      setText(indicatorText, text ?? '');
      if (color) indicatorDot.style.backgroundColor = safeColor(color);
    },
    toast(message) {
      setText(toastBox, message);
      toastBox.hidden = false;
      doc.defaultView?.clearTimeout(toastTimer);
      toastTimer = doc.defaultView?.setTimeout(() => {
        toastBox.hidden = true;
      }, 5000);
    },
    announce: live.announce,
    listen(element, type, handler) {
      const listener = handler as (event: Event) => void;
      // Without the shield, as with it: an ancestor does not act on a key an inner element took.
      element.addEventListener(type, (event) => {
        if (!event.defaultPrevented || event.target === element) listener(event);
      });
      const byType = typing.get(element) ?? new Map<string, Array<(event: Event) => void>>();
      byType.set(type, [...(byType.get(type) ?? []), listener]);
      typing.set(element, byType);
    },
    onTyping(listener) {
      typingListeners.push(listener);
    },
    contains: (event) => event.composedPath().includes(host),
    remove: () => {
      if (shield?.host === host) {
        shield.host = null;
        shield.route = null;
      }
      host.remove();
    },
  };
}
