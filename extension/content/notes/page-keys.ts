/**
 * The notes' keyboard shortcuts on the page, while sharing is on:
 *
 * - Alt+Shift+N: a note on the selected words, else at the pointer. It is also the
 *   extension's command (manifest `commands`, changeable in the browser's shortcut
 *   settings); where the browser takes the keys for the command the page never sees them,
 *   and where it does not (the command was given other keys, or none) this answers.
 * - Alt+Shift+J: opens the notes panel and puts the focus on its list.
 *
 * Only the user's own keys count, and only these two chords are taken from the page.
 */
import { trusted } from '../trusted-events.js';

export interface PageKeyActions {
  addNote(): void;
  openPanel(): void;
}

export class PageKeys {
  private enabled = false;

  private readonly onKey = trusted((event: KeyboardEvent): void => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || event.repeat) return;
    // `code`, not `key`: Alt+Shift changes the character on some layouts (macOS).
    const action =
      event.code === 'KeyN' ? this.actions.addNote : event.code === 'KeyJ' ? this.actions.openPanel : null;
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  });

  constructor(
    private readonly doc: Document,
    private readonly actions: PageKeyActions,
  ) {}

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (enabled) this.doc.addEventListener('keydown', this.onKey, true);
    else this.doc.removeEventListener('keydown', this.onKey, true);
  }
}
