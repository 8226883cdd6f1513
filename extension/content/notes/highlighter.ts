/**
 * Highlights the words of anchored notes with the CSS Custom Highlight API: one
 * `Highlight` named `collab-note`, styled by a `::highlight(collab-note)` rule added
 * once to the page. The page's DOM is left untouched. Without the API (older
 * browsers) nothing is highlighted and the note cards still show.
 */

export const HIGHLIGHT_NAME = 'collab-note';
const STYLE_ATTRIBUTE = 'data-collab-highlight-style';

export class Highlighter {
  private readonly highlight: Highlight | null;

  constructor(private readonly doc: Document) {
    const view = doc.defaultView as (Window & typeof globalThis) | null;
    const supported = Boolean(view && 'Highlight' in view && view.CSS && 'highlights' in view.CSS);
    this.highlight = supported && view ? new view.Highlight() : null;
  }

  get supported(): boolean {
    return this.highlight !== null;
  }

  /** Shows exactly these ranges. */
  set(ranges: Iterable<Range>): void {
    const highlight = this.highlight;
    if (!highlight) return;
    highlight.clear();
    for (const range of ranges) highlight.add(range);
    const registry = CSS.highlights;
    if (highlight.size > 0) {
      this.injectStyle();
      if (registry.get(HIGHLIGHT_NAME) !== highlight) registry.set(HIGHLIGHT_NAME, highlight);
    } else {
      registry.delete(HIGHLIGHT_NAME);
    }
  }

  clear(): void {
    this.set([]);
  }

  private injectStyle(): void {
    if (this.doc.querySelector(`style[${STYLE_ATTRIBUTE}]`)) return;
    const style = this.doc.createElement('style');
    style.setAttribute(STYLE_ATTRIBUTE, '');
    style.textContent = `::highlight(${HIGHLIGHT_NAME}) { background-color: rgba(255, 200, 0, 0.45); color: inherit; }`;
    (this.doc.head ?? this.doc.documentElement).append(style);
  }
}
