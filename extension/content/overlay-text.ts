/**
 * Overlay text the page cannot read (names, note bodies: the page is not in the room). A
 * closed shadow root hides our nodes from the page's DOM APIs, but not from
 * `window.find()` + `Selection.modify()`: those reach text nodes inside any shadow root.
 * So every visible string of the overlay that is not an input (names, note bodies,
 * labels, buttons) is drawn as CSS generated content, `::before { content:
 * attr(data-text) }`, from an attribute of an element inside the closed root. Generated
 * content is painted and exposed to accessibility, but it is not DOM text: find,
 * selection and `innerText` never see it.
 */

/** The attribute whose value an element of the overlay shows. */
export const TEXT_ATTRIBUTE = 'data-text';

/** The rule that paints the text (part of the overlay's stylesheet). */
export const TEXT_CSS = `[${TEXT_ATTRIBUTE}]::before { content: attr(${TEXT_ATTRIBUTE}); }`;

/**
 * Makes `element` show `text` (and nothing else it held before). A button is also named
 * by it (`aria-label`): browsers read generated content as a button's name, but axe and
 * some assistive tools do not, and a nameless button is the worst a screen reader meets.
 */
export function setText(element: Element, text: string): void {
  element.replaceChildren();
  if (text === '') element.removeAttribute(TEXT_ATTRIBUTE);
  else element.setAttribute(TEXT_ATTRIBUTE, text);
  if (element.localName === 'button' && text !== '') element.setAttribute('aria-label', text);
}

/** A new element of `tag` showing `text`. */
export function textElement<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  text: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (className) element.className = className;
  setText(element, text);
  return element;
}
