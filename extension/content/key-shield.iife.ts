/**
 * The page's first listener, so that keys typed into our editors never reach the page's
 * own listeners. crxjs builds `.iife.ts` content scripts as plain scripts; registered to run
 * at document_start (background/site-access.ts), it runs before any script of the page, so
 * these capture listeners on the window, where every event's path starts, run before any
 * listener the page can add. A trusted keyboard, text-input, composition or clipboard event whose
 * target, as the page would see it, is our overlay host was typed into one of our
 * editors: it is stopped here, so no page listener (window, document or element) ever
 * sees the keys or the text, and handed to the overlay, which runs its editors' own
 * handlers. Default actions (typing, IME, paste) are not affected by stopping propagation.
 * Injected into a tab that was open before the site was granted, it comes after the page's
 * own scripts: a window capture listener the page added before then still runs first, until
 * the page is reloaded (docs/SECURITY.md).
 */
import { KEY_SHIELD, keyShield, SHIELDED_EVENTS, type KeyShield } from './key-shield-api.js';

/** Installs the shield once per page: injected again after a new grant, the first one stays. */
function install(): void {
  const shield: KeyShield = { host: null, route: null };
  (globalThis as unknown as Record<string, KeyShield>)[KEY_SHIELD] = shield;
  /** Keys pressed in our editors: their release is hidden too, wherever the focus went meanwhile. */
  const held = new Set<string>();

  for (const type of SHIELDED_EVENTS) {
    window.addEventListener(
      type,
      (event) => {
        if (!event.isTrusted || shield.host === null) return;
        const ours = event.target === shield.host;
        const code = event instanceof KeyboardEvent ? event.code : '';
        if (ours && type === 'keydown') held.add(code);
        // Ctrl+Enter saves and closes the editor: the keyups land on the page, but are ours.
        const release = type === 'keyup' && held.delete(code);
        if (!ours && !release) return;
        event.stopImmediatePropagation();
        if (ours) shield.route?.(event);
      },
      true,
    );
  }
}

if (keyShield() === null) install();
