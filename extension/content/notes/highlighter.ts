/**
 * Highlights ranges with the CSS Custom Highlight API: one named `Highlight` per
 * instance (`collab-note-<rrggbb>` for the words of notes, in their colour;
 * `collab-note-draft` for the words a note is being written about;
 * `collab-note-active` for the note being looked at), styled by a `::highlight(name)`
 * rule added once to the page. The page's DOM is left untouched. Without the API (older
 * browsers) nothing is highlighted and the note cards still show. A note's words keep the
 * page's own text colour: the tint behind them is as strong as the page's text allows
 * (contrast.ts), and an underline in the note's colour, shaded to stand out from the
 * page's background, marks them on dark and light pages alike.
 */
import { highlightAlpha, parseHex, shadeAgainst } from '../contrast.js';
import { pageColors, type PageColors } from '../page-colors.js';

export const DRAFT_HIGHLIGHT = 'collab-note-draft';
/** The words of the note the user is looking at (card hovered, opened or jumped to). */
export const ACTIVE_HIGHLIGHT = 'collab-note-active';

const STYLES: Record<string, string> = {
  [DRAFT_HIGHLIGHT]: 'background-color: rgba(0, 144, 255, 0.28); color: inherit;',
  // In the words' own colour (the initial decoration colour), so it shows on any page.
  [ACTIVE_HIGHLIGHT]: 'text-decoration: underline 3px; text-underline-offset: 3px;',
};

export class Highlighter {
  private readonly highlight: Highlight | null;

  constructor(
    private readonly doc: Document,
    private readonly name: string,
    /** CSS declarations of `::highlight(name)`; a built-in style for the names above. */
    private style: string = STYLES[name] ?? '',
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

  /** Changes the rule's declarations (the page's colours changed). */
  restyle(style: string): void {
    this.style = style;
    const element = this.doc.querySelector(`style[data-${this.name}]`);
    if (element) element.textContent = this.rule();
  }

  private rule(): string {
    return `::highlight(${this.name}) { ${this.style} }`;
  }

  private injectStyle(): void {
    const attribute = `data-${this.name}`;
    if (this.doc.querySelector(`style[${attribute}]`)) return;
    const style = this.doc.createElement('style');
    style.setAttribute(attribute, '');
    style.textContent = this.rule();
    (this.doc.head ?? this.doc.documentElement).append(style);
  }
}

/** The rule of a note colour's highlight on a page of these colours. */
export function noteHighlightStyle(color: string, page: PageColors): string {
  const { r, g, b } = parseHex(color);
  const alpha = highlightAlpha(color, page);
  const line = shadeAgainst(color, page.background);
  const tint = `background-color: rgba(${r}, ${g}, ${b}, ${alpha}); color: inherit;`;
  return `${tint} text-decoration: underline 2px ${line}; text-underline-offset: 3px;`;
}

/**
 * The words of every placed note, one highlight per note colour (`collab-note-<rrggbb>`);
 * a colour's ranges are handed to the browser again only when they changed. The tints
 * are fitted to the page's colours where the first note sits, read once and again when
 * the colour scheme changes (pages with a dark mode switch with it).
 */
export class ColorHighlights {
  private readonly byColor = new Map<string, { highlighter: Highlighter; ranges: Range[] }>();
  private colors: PageColors | null = null;

  constructor(private readonly doc: Document) {
    const view = doc.defaultView;
    view?.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => this.recolor());
  }

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
        const colors = (this.colors ??= this.read(ranges[0]!));
        const name = `collab-note-${color.slice(1).toLowerCase()}`;
        entry = {
          highlighter: new Highlighter(this.doc, name, noteHighlightStyle(color, colors)),
          ranges: [],
        };
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

  private read(range: Range): PageColors {
    const node = range.commonAncestorContainer;
    return pageColors(node instanceof Element ? node : (node.parentElement ?? this.doc.documentElement));
  }

  private recolor(): void {
    const first = [...this.byColor.values()].find((entry) => entry.ranges.length > 0);
    this.colors = first ? this.read(first.ranges[0]!) : null;
    if (!this.colors) return;
    for (const [color, entry] of this.byColor)
      entry.highlighter.restyle(noteHighlightStyle(color, this.colors));
  }
}
