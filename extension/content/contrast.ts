/**
 * Colour arithmetic for legibility, WCAG 2.x: relative luminance, contrast ratio,
 * alpha compositing, the ink (black or white) that reads on a colour, and the shade of a
 * colour that stands out from a background. Users and notes carry any `#rrggbb`
 * (a palette pick, or a hex from an imported annotation), so every colour the overlay
 * paints text on, or paints on the page, goes through here. Pure: no DOM.
 */

/** A colour in sRGB, channels 0-255. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** A colour as CSS computes it: channels and opacity (0-1). */
export interface Rgba extends Rgb {
  a: number;
}

/** WCAG AA minimum for normal text. */
export const AA_TEXT = 4.5;
/** WCAG AA minimum for large text and for the graphics that carry meaning (rings, underlines). */
export const AA_GRAPHIC = 3;

/** Inks for text on a colour: pure black and white, so one of them always reaches 4.58:1. */
export const INK_DARK = '#000000';
export const INK_LIGHT = '#ffffff';

const BLACK: Rgb = { r: 0, g: 0, b: 0 };
const WHITE: Rgb = { r: 255, g: 255, b: 255 };

/** `#rrggbb` to channels (the caller checked the form: safe-values.ts). */
export function parseHex(hex: string): Rgb {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  return { r, g, b };
}

export function toHex({ r, g, b }: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A computed CSS colour (`rgb(1, 2, 3)`, `rgba(1, 2, 3, 0.5)`, `rgb(1 2 3 / 50%)`) or
 * `#rrggbb`; null for anything else (`color(...)`, `oklch(...)`, keywords).
 */
export function parseCssColor(value: string): Rgba | null {
  const text = value.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(text)) return { ...parseHex(text), a: 1 };
  if (text === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const match = /^rgba?\(([^)]*)\)$/.exec(text);
  if (!match) return null;
  const parts = match[1]!.split(/[\s,/]+/).filter((part) => part !== '');
  if (parts.length < 3 || parts.length > 4) return null;
  const numbers = parts.map((part) => (part.endsWith('%') ? parseFloat(part) / 100 : parseFloat(part)));
  if (numbers.some((n) => !Number.isFinite(n))) return null;
  const [r, g, b, a = 1] = numbers as [number, number, number, number?];
  return { r, g, b, a };
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance, 0 (black) to 1 (white). */
export function luminance(color: Rgb | string): number {
  const { r, g, b } = typeof color === 'string' ? parseHex(color) : color;
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** Contrast ratio of two opaque colours, 1 to 21. */
export function contrast(a: Rgb | string, b: Rgb | string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** `top` at opacity `alpha` painted over the opaque `bottom`. */
export function over(top: Rgb, alpha: number, bottom: Rgb): Rgb {
  const mix = (t: number, b: number) => t * alpha + b * (1 - alpha);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b) };
}

/** Layers listed from the bottom (opaque) up, painted one over the other. */
export function flatten(bottom: Rgb, layers: readonly Rgba[]): Rgb {
  return layers.reduce<Rgb>((below, layer) => over(layer, layer.a, below), bottom);
}

/** Black or white, whichever contrasts more with `background` (never below 4.58:1). */
export function inkOn(background: Rgb | string): string {
  return contrast(background, BLACK) >= contrast(background, WHITE) ? INK_DARK : INK_LIGHT;
}

/**
 * `color` as it is when it stands out from `background` by `min` (3:1 for a ring or an
 * underline): unchanged when it already does, else mixed towards black or white (the one
 * that gets there) in the fewest steps, so it stays recognisably the same hue.
 */
export function shadeAgainst(color: string, background: Rgb | string, min = AA_GRAPHIC): string {
  const base = parseHex(color);
  if (contrast(base, background) >= min) return color;
  const towards = contrast(background, BLACK) >= contrast(background, WHITE) ? BLACK : WHITE;
  for (let step = 1; step <= 20; step++) {
    const mixed = toHex(over(towards, step / 20, base));
    if (contrast(mixed, background) >= min) return mixed;
  }
  return toHex(towards);
}

/** Opacities a note's highlight may take: strong enough to see, never hiding the words. */
export const HIGHLIGHT_ALPHA = { max: 0.4, min: 0.12 } as const;

/**
 * The opacity of a highlight in `color` behind a page's `text` on its `background`: the
 * strongest (up to {@link HIGHLIGHT_ALPHA}.max) that keeps the words at 4.5:1, or at the
 * page's own contrast when that is lower (a highlight must not make text worse than it
 * was by much); {@link HIGHLIGHT_ALPHA}.min when nothing else does.
 */
export function highlightAlpha(color: string, page: { text: Rgb; background: Rgb }): number {
  const tint = parseHex(color);
  const needed = Math.min(AA_TEXT, contrast(page.text, page.background) * 0.9);
  for (let alpha = HIGHLIGHT_ALPHA.max; alpha > HIGHLIGHT_ALPHA.min; alpha -= 0.02) {
    if (contrast(page.text, over(tint, alpha, page.background)) >= needed) return round(alpha);
  }
  return HIGHLIGHT_ALPHA.min;
}

const round = (value: number) => Math.round(value * 100) / 100;
