/**
 * Adding a note: after the user selects text on the page (mouseup with a non-collapsed
 * selection outside our overlay) an "Add note" button (`data-collab-add-note`) appears
 * next to the selection; it opens a small editor (`data-collab-note-input`,
 * `data-collab-note-save`, Cancel; Ctrl/Cmd+Enter saves, Esc cancels). Saving hands
 * the remembered range and the text to the owner. Every handler ignores untrusted events:
 * a page script that selects text, dispatches a mouseup and "clicks" gets nothing, so it
 * cannot write notes in the user's name.
 */
import { ARROW_STEPS } from '../../shared/arrow-steps.js';
import type { Overlay } from '../overlay.js';
import { t, type MessageKey } from '../../shared/i18n.js';
import { setText } from '../overlay-text.js';
import { trusted } from '../trusted-events.js';
import { guardEditor } from './editor-guard.js';
import { editorKeys } from './editor-keys.js';
import { focusReturn, type FocusSpot } from './focus-return.js';
import type { Highlighter } from './highlighter.js';

/** What a new note is pinned to: selected words, or a point (document coordinates). */
export type NoteTarget = { range: Range } | { point: { x: number; y: number } };
export type SaveNote = (target: NoteTarget, body: string, color: string) => void;

/** The highlight colours an author can pick from: few, distinct, readable under black text. */
export const NOTE_COLORS: readonly { color: string; name: MessageKey }[] = [
  { color: '#ffd400', name: 'colorYellow' },
  { color: '#5fd068', name: 'colorGreen' },
  { color: '#4aa8ff', name: 'colorBlue' },
  { color: '#ff7eb6', name: 'colorPink' },
  { color: '#b48cff', name: 'colorPurple' },
];

const BUTTON_WIDTH = 90;
const EDITOR_WIDTH = 270;

export class NoteComposer {
  private enabled = false;
  private range: Range | null = null;
  private point: { x: number; y: number } | null = null;
  private color = NOTE_COLORS[0]!.color;
  private button: HTMLButtonElement | null = null;
  private editor: HTMLElement | null = null;
  private position = { left: 0, top: 0 };
  /** Where the keyboard was when the editor opened: it goes back there when the editor closes. */
  private spot: FocusSpot | null = null;

  private readonly onMouseUp = trusted((event: MouseEvent): void => {
    if (event.button !== 0 || this.overlay.contains(event)) return;
    // The selection is final only after the mouseup has been handled.
    this.doc.defaultView?.setTimeout(() => this.offerForSelection(), 0);
  });

  private readonly onMouseDown = trusted((event: MouseEvent): void => {
    if (this.overlay.contains(event)) return;
    this.hideButton();
  });

  constructor(
    private readonly doc: Document,
    private readonly overlay: Overlay,
    /** Marks the selected words while the editor has the focus (and the page lost its selection). */
    private readonly draft: Highlighter,
    private readonly save: SaveNote,
  ) {}

  /** Offers notes only while the session is active. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (enabled) {
      this.doc.addEventListener('mouseup', this.onMouseUp, true);
      this.doc.addEventListener('mousedown', this.onMouseDown, true);
      return;
    }
    this.doc.removeEventListener('mouseup', this.onMouseUp, true);
    this.doc.removeEventListener('mousedown', this.onMouseDown, true);
    this.close();
  }

  /**
   * Closes the button and the editor; the focus goes back where it was (after a save,
   * to the end of the words, not selecting them again).
   */
  close(saved = false): void {
    this.hideButton();
    this.editor?.remove();
    this.editor = null;
    this.range = null;
    this.point = null;
    this.draft.clear();
    const spot = this.spot;
    this.spot = null;
    if (spot) focusReturn(this.overlay).restore(spot, { collapse: saved });
  }

  /** The page's selected words a note can go on, or null. */
  private selectedRange(): Range | null {
    const selection = this.doc.getSelection();
    const body = this.doc.body;
    if (!selection || selection.isCollapsed || selection.rangeCount === 0 || !body) return null;
    const range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer) || range.toString().trim() === '') return null;
    return range;
  }

  /**
   * The keyboard's "add a note" on the selected words (however they were selected: caret
   * browsing, Shift+arrows, a screen reader): opens the editor under them. False when
   * nothing is selected.
   */
  openForSelection(): boolean {
    const range = this.enabled && !this.editor ? this.selectedRange() : null;
    if (!range) return false;
    this.spot = focusReturn(this.overlay).capture();
    this.offerForSelection();
    this.openEditor();
    return true;
  }

  private offerForSelection(): void {
    if (!this.enabled || this.editor) return;
    const range = this.selectedRange();
    if (!range) {
      this.hideButton();
      return;
    }
    this.range = range.cloneRange();
    const rects = range.getClientRects();
    const last = rects[rects.length - 1] ?? range.getBoundingClientRect();
    const view = this.doc.defaultView;
    const width = this.visibleRight();
    this.position = {
      left: Math.max(4, Math.min(last.right + (view?.scrollX ?? 0) + 6, width - BUTTON_WIDTH)),
      top: last.bottom + (view?.scrollY ?? 0) + 6,
    };
    this.showButton();
  }

  private showButton(): void {
    this.hideButton();
    const button = this.doc.createElement('button');
    button.type = 'button';
    button.className = 'add-note';
    button.setAttribute('data-collab-add-note', '');
    setText(button, t('composerAddNote'));
    this.place(button, this.position.left);
    // Keep the page's selection visible while the user clicks our button.
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener(
      'click',
      trusted(() => this.openEditor()),
    );
    this.overlay.composer.append(button);
    this.button = button;
  }

  private hideButton(): void {
    this.button?.remove();
    this.button = null;
  }

  /** "Add note here": opens the editor for a note pinned to a point of the document. */
  openAtPoint(x: number, y: number): void {
    if (!this.enabled) return;
    this.close();
    this.point = { x, y };
    const width = this.visibleRight();
    this.position = { left: Math.max(4, Math.min(x + 12, width - EDITOR_WIDTH - 4)), top: y + 12 };
    this.openEditor();
  }

  private openEditor(): void {
    if (!this.range && !this.point) return;
    this.spot ??= focusReturn(this.overlay).capture();
    this.hideButton();
    const doc = this.doc;
    const editor = doc.createElement('div');
    editor.className = 'editor';
    editor.setAttribute('role', 'dialog');
    editor.setAttribute('aria-label', t('composerDialog'));
    const swatches = doc.createElement('div');
    swatches.className = 'swatches';
    swatches.setAttribute('role', 'radiogroup');
    swatches.setAttribute('aria-label', t('composerHighlightColour'));
    const pick = (color: string): void => {
      this.color = color;
      for (const swatch of swatches.children as HTMLCollectionOf<HTMLElement>) {
        const checked = swatch.getAttribute('data-color') === color;
        swatch.setAttribute('aria-checked', String(checked));
        // A radio group: one Tab stop, on the checked colour; the arrow keys choose.
        swatch.tabIndex = checked ? 0 : -1;
      }
    };
    this.overlay.listen(
      swatches,
      'keydown',
      trusted((event) => {
        const step = ARROW_STEPS[event.key];
        const at = NOTE_COLORS.findIndex(({ color }) => color === this.color);
        if (step === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        const next = NOTE_COLORS[(at + step + NOTE_COLORS.length) % NOTE_COLORS.length]!.color;
        pick(next);
        swatches.querySelector<HTMLElement>(`[data-color="${next}"]`)?.focus();
      }),
    );
    for (const { color, name } of NOTE_COLORS) {
      const swatch = doc.createElement('button');
      swatch.type = 'button';
      swatch.className = 'swatch';
      swatch.setAttribute('role', 'radio');
      swatch.setAttribute('data-color', color);
      swatch.setAttribute('data-collab-note-color', color);
      swatch.title = t(name);
      swatch.setAttribute('aria-label', t(name));
      swatch.style.setProperty('--swatch', color);
      swatch.addEventListener(
        'click',
        trusted(() => pick(color)),
      );
      swatches.append(swatch);
    }
    const input = doc.createElement('textarea');
    input.setAttribute('data-collab-note-input', '');
    input.placeholder = t('composerPlaceholder');
    input.maxLength = 10_000;
    const actions = doc.createElement('div');
    actions.className = 'actions';
    const hint = doc.createElement('span');
    hint.className = 'hint';
    setText(hint, t('composerHint'));
    const cancel = doc.createElement('button');
    cancel.type = 'button';
    setText(cancel, t('cancel'));
    cancel.setAttribute('data-collab-note-cancel', '');
    const saveButton = doc.createElement('button');
    saveButton.type = 'button';
    saveButton.className = 'save';
    setText(saveButton, t('save'));
    saveButton.setAttribute('data-collab-note-save', '');
    actions.append(hint, cancel, saveButton);
    editor.append(input, swatches, actions);
    pick(this.color);

    const submit = (): void => {
      const text = input.value.trim();
      const target: NoteTarget | null = this.range
        ? { range: this.range }
        : this.point
          ? { point: this.point }
          : null;
      if (text === '' || !target) {
        input.focus();
        return;
      }
      this.doc.getSelection()?.removeAllRanges();
      this.close(true);
      this.save(target, text, this.color);
    };
    cancel.addEventListener(
      'click',
      trusted(() => this.close()),
    );
    saveButton.addEventListener('click', trusted(submit));
    guardEditor(this.overlay, input);
    editorKeys(this.overlay, input, { submit, cancel: () => this.close() });

    const width = this.visibleRight();
    this.place(editor, Math.max(4, Math.min(this.position.left, width - EDITOR_WIDTH - 4)));
    this.overlay.composer.append(editor);
    this.editor = editor;
    if (this.range) this.draft.set([this.range]);
    input.focus();
  }

  /** Right edge of what the user sees, in document coordinates: never the page's scroll width. */
  private visibleRight(): number {
    const root = this.doc.documentElement;
    return (this.doc.defaultView?.scrollX ?? 0) + (root.clientWidth || root.scrollWidth);
  }

  private place(element: HTMLElement, left: number): void {
    element.style.left = `${Math.round(left)}px`;
    element.style.top = `${Math.round(this.position.top)}px`;
  }
}
