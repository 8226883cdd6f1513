/**
 * Highlights ranges with the CSS Custom Highlight API: one named `Highlight` per
 * instance (`collab-note` for anchored notes, `collab-note-draft` for the words a note
 * is being written about), styled by a `::highlight(name)` rule added once to the
 * page. The page's DOM is left untouched. Without the API (older browsers) nothing is
 * highlighted and the note cards still show.
 */

export const NOTE_HIGHLIGHT = 'collab-note';
export const DRAFT_HIGHLIGHT = 'collab-note-draft';
/** The words of the note the user is looking at (card hovered, opened or jumped to). */
export const ACTIVE_HIGHLIGHT = 'collab-note-active';

const STYLES: Record<string, string> = {
  [NOTE_HIGHLIGHT]: 'background-color: rgba(255, 200, 0, 0.45); color: inherit;',
  [DRAFT_HIGHLIGHT]: 'background-color: rgba(0, 144, 255, 0.28); color: inherit;',
  [ACTIVE_HIGHLIGHT]: 'text-decoration: underline 2px rgba(0, 0, 0, 0.75); text-underline-offset: 3px;',
};

export class Highlighter {
  private readonly highlight: Highlight | null;

  constructor(
    private readonly doc: Document,
    private readonly name: string = NOTE_HIGHLIGHT,
    /** CSS declarations of `::highlight(name)`; a built-in style for the names above. */
    private readonly style: string = STYLES[name] ?? STYLES[NOTE_HIGHLIGHT]!,
  ) {
    const view = doc.defaultView as (Window & typeof globalThis) | null;
    const supported = Boolean(view && 'Highlight' in view && view.CSS && 'highlights' in view.CSS);
    this.highlight = supported && view ? new view.Highlight() : null;
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
      if (registry.get(this.name) !== highlight) registry.set(this.name, highlight);
    } else {
      registry.delete(this.name);
    }
  }

  clear(): void {
    this.set([]);
  }

  private injectStyle(): void {
    const attribute = `data-${this.name}`;
    if (this.doc.querySelector(`style[${attribute}]`)) return;
    const style = this.doc.createElement('style');
    style.setAttribute(attribute, '');
    style.textContent = `::highlight(${this.name}) { ${this.style} }`;
    (this.doc.head ?? this.doc.documentElement).append(style);
  }
}
