/**
 * What a text block is, once for the whole content script: an element whose edges
 * separate words even without whitespace in the markup (`<p>One</p><p>Two</p>` reads
 * "One Two"), and whose box holds whole lines of text. The text index uses it to put a
 * space between blocks; the notes view puts a note's card beside the block of its words;
 * a cursor over text is anchored to its block (a reflow keeps the words, not their places).
 * Tag names only, no layout: the same page gives the same blocks in every browser and in
 * happy-dom.
 */

const ELEMENT_NODE = 1;

const BLOCK_TAGS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BODY', 'CAPTION', 'DD', 'DETAILS', 'DIALOG', 'DIV',
  'DL', 'DT', 'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5',
  'H6', 'HEADER', 'HR', 'HTML', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY',
  'TABLE', 'TBODY', 'TD', 'TFOOT', 'TH', 'THEAD', 'TR', 'UL',
]); // prettier-ignore

export function isTextBlock(node: Node): boolean {
  return node.nodeType === ELEMENT_NODE && BLOCK_TAGS.has((node as Element).tagName.toUpperCase());
}

/** The nearest text block holding `node` (itself when it is one), or null. */
export function closestTextBlock(node: Node): Element | null {
  for (let current: Node | null = node; current; current = current.parentNode) {
    if (isTextBlock(current)) return current as Element;
  }
  return null;
}
