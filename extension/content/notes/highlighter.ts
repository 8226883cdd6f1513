/**
 * Highlights ranges with the CSS Custom Highlight API: one named `Highlight` per
 * instance (`collab-note-<rrggbb>` for the words of notes, in their colour;
 * `collab-note-draft` for the words a note is being written about;
 * `collab-note-active` for the note being looked at), styled by a `::highlight(name)`
 * rule added once to the page. The page's DOM is left untouched. Without the API (older
 * browsers) nothing is highlighted and the note cards still show.
 */

export const DRAFT_HIGHLIGHT = 'collab-note-draft';
/** The words of the note the user is looking at (card hovered, opened or jumped to). */
export const ACTIVE_HIGHLIGHT = 'collab-note-active';

const STYLES: Record<string, string> = {
  [DRAFT_HIGHLIGHT]: 'background-color: rgba(0, 144, 255, 0.28); color: inherit;',
  [ACTIVE_HIGHLIGHT]: 'text-decoration: underline 2px rgba(0, 0, 0, 0.75); text-underline-offset: 3px;',
};

export class Highlighter {
  private readonly highlight: Highlight | null;

  constructor(
    private readonly doc: Document,
    private readonly name: string,
    /** CSS declarations of `::highlight(name)`; a built-in style for the names above. */
    private readonly style: string = STYLES[name] ?? '',
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

/**
 * The words of every placed note, one highlight per note colour (`collab-note-<rrggbb>`);
 * a colour's ranges are handed to the browser again only when they changed.
 */
export class ColorHighlights {
  private readonly byColor = new Map<string, { highlighter: Highlighter; ranges: Range[] }>();

  constructor(private readonly doc: Document) {}

  /** Shows exactly these ranges; colours must be `#rrggbb` (they name a highlight and go into its rule). */
  set(items: Iterable<{ color: string; range: Range }>): void {
    const wanted = new Map<string, Range[]>();
    for (const { color, range } of items) {
      const list = wanted.get(color) ?? [];
      list.push(range);
      wanted.set(color, list);
    }
    for (const [color, ranges] of wanted) {
      let entry = this.byColor.get(color);
      if (!entry) {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
        const style = `background-color: rgba(${r}, ${g}, ${b}, 0.4); color: inherit;`;
        const name = `collab-note-${color.slice(1).toLowerCase()}`;
        entry = { highlighter: new Highlighter(this.doc, name, style), ranges: [] };
        this.byColor.set(color, entry);
      }
      const same = entry.ranges.length === ranges.length && entry.ranges.every((r, i) => r === ranges[i]);
      if (!same) entry.highlighter.set(ranges);
      entry.ranges = ranges;
    }
    for (const [color, entry] of this.byColor) {
      if (wanted.has(color) || entry.ranges.length === 0) continue;
      entry.highlighter.clear();
      entry.ranges = [];
    }
  }
}
