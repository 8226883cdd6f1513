/**
 * The keys every note editor answers (the composer and the inline edit and reply boxes):
 * Ctrl/Cmd+Enter submits, Escape cancels. Only the user's own keys count, and they reach
 * the field through the overlay (the key shield keeps them from the page).
 */
import type { Overlay } from '../overlay.js';
import { trusted } from '../trusted-events.js';

export function editorKeys(
  overlay: Overlay,
  field: HTMLTextAreaElement,
  actions: { submit(): void; cancel: (() => void) | null },
): void {
  overlay.listen(
    field,
    'keydown',
    trusted((event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        actions.submit();
      } else if (event.key === 'Escape' && actions.cancel) {
        event.preventDefault();
        actions.cancel();
      }
    }),
  );
}
