/**
 * Small builders for the notes UI inside the overlay: elements whose text is generated
 * content (overlay-text.ts), buttons that act only on the user's own clicks, and the
 * inline editor of a card (edit a note, write a reply).
 */
import type { Overlay } from '../overlay.js';
import { t } from '../../shared/i18n.js';
import { setText } from '../overlay-text.js';
import { trusted } from '../trusted-events.js';
import { guardEditor } from './editor-guard.js';
import { editorKeys } from './editor-keys.js';

export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) setText(element, text);
  return element;
}

/** A button marked with `attribute` (the tests' and the CSS's hook) that calls `onClick` on a real click. */
export function button(
  doc: Document,
  label: string,
  attribute: string,
  onClick: () => void,
  className = 'link',
): HTMLButtonElement {
  const element = el(doc, 'button', className, label);
  element.type = 'button';
  element.setAttribute(attribute, '');
  element.addEventListener(
    'click',
    trusted((event) => {
      event.stopPropagation();
      onClick();
    }),
  );
  return element;
}

export interface InlineEditorOptions {
  value: string;
  placeholder: string;
  /** The submit button's label: says what it does ("Save", "Send reply"). */
  submitLabel: string;
  changed(text: string): void;
  submit(text: string): void;
  cancel(): void;
}

/** A textarea with Cancel and a submit button; Ctrl/Cmd+Enter submits, Escape cancels. */
export function inlineEditor(doc: Document, overlay: Overlay, options: InlineEditorOptions): HTMLElement {
  const form = el(doc, 'div', 'inline-editor');
  const input = el(doc, 'textarea');
  input.value = options.value;
  input.maxLength = 10_000;
  input.setAttribute('data-collab-inline-input', '');
  input.placeholder = options.placeholder;
  guardEditor(overlay, input);
  overlay.listen(input, 'input', () => options.changed(input.value));
  const send = () => {
    const text = input.value.trim();
    if (text !== '') options.submit(text);
  };
  editorKeys(overlay, input, { submit: send, cancel: options.cancel });
  const actions = el(doc, 'div', 'actions');
  actions.append(
    button(doc, t('cancel'), 'data-collab-inline-cancel', options.cancel),
    button(doc, options.submitLabel, 'data-collab-inline-save', send, 'small-primary'),
  );
  form.append(input, actions);
  return form;
}
