/**
 * Only the user's own editing changes our editors, so a page script cannot put words in
 * a note the user then saves. The browser fires a
 * `beforeinput` before every edit it makes for the user (typing, IME, paste, drop, undo,
 * spell-check), but `document.execCommand('insertText')` from a page script edits the
 * focused field without one, and marks its `input` trusted. An `input` with no
 * `beforeinput` just before it (in the same task) is therefore not the user's: the field
 * goes back to the text it had.
 */
import type { Overlay } from '../overlay.js';

/** Call after the field got its initial text, before any other `input` listener. */
export function guardEditor(overlay: Overlay, field: HTMLTextAreaElement): void {
  const view = field.ownerDocument.defaultView;
  let accepted = field.value;
  let expecting = false;
  let timer: number | undefined;
  overlay.listen(field, 'beforeinput', () => {
    expecting = true;
    // The input of this edit follows in the same task; a later one needs its own beforeinput.
    view?.clearTimeout(timer);
    timer = view?.setTimeout(() => {
      expecting = false;
    }, 0);
  });
  overlay.listen(field, 'input', () => {
    if (expecting) {
      accepted = field.value;
      expecting = false;
      return;
    }
    field.value = accepted;
  });
}
