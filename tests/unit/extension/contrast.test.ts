/**
 * Legibility, computed: WCAG contrast of every text colour of the overlay's and the
 * popup's light and dark sets on the surfaces they sit on, the ink on every colour a
 * person can carry (both palettes, and any `#rrggbb`: a sweep of the RGB cube), the
 * underline shade against light and dark pages, and the highlight tint behind page text.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PALETTE } from '../../../extension/background/settings.js';
import {
  AA_GRAPHIC,
  AA_TEXT,
  HIGHLIGHT_ALPHA,
  contrast,
  flatten,
  highlightAlpha,
  inkOn,
  luminance,
  over,
  parseCssColor,
  parseHex,
  shadeAgainst,
  toHex,
  type Rgb,
} from '../../../extension/content/contrast.js';
import { NOTE_COLORS } from '../../../extension/content/notes/note-composer.js';
import { DARK_COLORS, LIGHT_COLORS } from '../../../extension/content/overlay-css.js';

/** Every colour a user or a note picks from. */
const PALETTES = [...PALETTE, ...NOTE_COLORS.map((c) => c.color)];
/** Any hex: the RGB cube in steps of 17 (16^3 colours, black and white included). */
const CUBE: string[] = [];
for (let r = 0; r <= 255; r += 17)
  for (let g = 0; g <= 255; g += 17) for (let b = 0; b <= 255; b += 17) CUBE.push(toHex({ r, g, b }));

/** Pages as they are found: light, dark, and a dark-mode extension's rewrite of a light one. */
const PAGES: Record<string, { text: Rgb; background: Rgb }> = {
  'light page (#222 on white)': { text: parseHex('#222222'), background: parseHex('#ffffff') },
  'light page, grey text (#595959 on white)': { text: parseHex('#595959'), background: parseHex('#ffffff') },
  'dark page (#e4e4e4 on #121212)': { text: parseHex('#e4e4e4'), background: parseHex('#121212') },
  'dark page, grey text (#a0a0a0 on #181a1b)': { text: parseHex('#a0a0a0'), background: parseHex('#181a1b') },
};

describe('contrast arithmetic (WCAG 2.x)', () => {
  it('matches the reference values', () => {
    expect(luminance('#ffffff')).toBe(1);
    expect(luminance('#000000')).toBe(0);
    expect(contrast('#000000', '#ffffff')).toBe(21);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrast('#ffffff', '#767676')).toBeCloseTo(4.54, 2);
  });

  it('reads computed CSS colours and composites them', () => {
    expect(parseCssColor('rgb(28, 28, 28)')).toEqual({ r: 28, g: 28, b: 28, a: 1 });
    expect(parseCssColor('rgba(0, 144, 255, 0.28)')).toEqual({ r: 0, g: 144, b: 255, a: 0.28 });
    expect(parseCssColor('rgb(1 2 3 / 50%)')).toEqual({ r: 1, g: 2, b: 3, a: 0.5 });
    expect(parseCssColor('#0090FF')).toEqual({ r: 0, g: 144, b: 255, a: 1 });
    expect(parseCssColor('oklch(0.5 0.1 20)')).toBeNull();
    expect(over(parseHex('#000000'), 0.5, parseHex('#ffffff'))).toEqual({ r: 127.5, g: 127.5, b: 127.5 });
    expect(flatten(parseHex('#ffffff'), [{ r: 0, g: 0, b: 0, a: 0 }])).toEqual(parseHex('#ffffff'));
  });
});

describe('colours people carry', () => {
  it.each([
    ['the palettes', PALETTES],
    ['any #rrggbb (4096 of the cube)', CUBE],
  ])('text on %s (name labels, bubble counts) reaches 4.5:1', (_, colors) => {
    const worst = Math.min(...colors.map((c) => contrast(c, inkOn(c))));
    expect(worst).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it('the palettes need black ink as often as white: one fixed ink would fail', () => {
    const inks = new Set(PALETTES.map((c) => inkOn(c)));
    expect(inks.size).toBe(2);
    expect(Math.min(...PALETTES.map((c) => contrast(c, '#ffffff')))).toBeLessThan(AA_TEXT);
  });

  it.each(['#ffffff', '#f6f6f4', '#121212', '#26272b'])(
    'underline shades of any colour stand out from %s by 3:1, and keep palette colours that already do',
    (background) => {
      for (const color of [...PALETTES, ...CUBE])
        expect(contrast(shadeAgainst(color, background), background)).toBeGreaterThanOrEqual(AA_GRAPHIC);
      expect(shadeAgainst('#6e56cf', '#ffffff')).toBe('#6e56cf');
    },
  );

  it.each(Object.entries(PAGES))('highlight tints keep the words of a %s legible', (_, page) => {
    const own = contrast(page.text, page.background);
    for (const color of [...PALETTES, ...CUBE]) {
      const alpha = highlightAlpha(color, page);
      expect(alpha).toBeGreaterThanOrEqual(HIGHLIGHT_ALPHA.min);
      expect(alpha).toBeLessThanOrEqual(HIGHLIGHT_ALPHA.max);
      const under = over(parseHex(color), alpha, page.background);
      // 4.5:1, or (a page already below it) at most 10% less than the page had.
      expect(contrast(page.text, under)).toBeGreaterThanOrEqual(Math.min(AA_TEXT, own * 0.9) - 1e-9);
    }
  });

  it('palette highlights stay visible: on the full tint unless the words need less', () => {
    const light = PAGES['light page (#222 on white)']!;
    expect(PALETTES.map((c) => highlightAlpha(c, light))).toEqual(PALETTES.map(() => HIGHLIGHT_ALPHA.max));
  });
});

/** `[text, surface]` pairs of the overlay's stylesheet: text colour, what it is painted on. */
const OVERLAY_PAIRS: Array<[keyof typeof LIGHT_COLORS, keyof typeof LIGHT_COLORS]> = [
  ['--text', '--surface'],
  ['--muted', '--surface'],
  ['--quote', '--surface'],
  ['--link', '--surface'],
  ['--danger', '--surface'],
  ['--status', '--surface'],
  ['--text', '--surface-panel'],
  ['--muted', '--surface-panel'],
  ['--text', '--surface-hover'],
  ['--muted', '--surface-hover'],
  ['--quote', '--surface-hover'],
  ['--on-inverse', '--inverse'],
  ['--text', '--conflict'],
  ['--muted', '--conflict'],
  ['--mine', '--conflict'],
];

describe.each([
  ['light', LIGHT_COLORS as Record<string, string>],
  ['dark', DARK_COLORS as Record<string, string>],
])('the overlay, %s set', (_, set) => {
  const hex = (name: string): string => {
    const value = set[name];
    if (!value || !/^#[0-9a-f]{6}$/i.test(value))
      throw new Error(`${name} is not a #rrggbb colour: ${value}`);
    return value;
  };

  it.each(OVERLAY_PAIRS)('%s on %s reaches 4.5:1', (text, surface) => {
    expect(contrast(hex(text), hex(surface))).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it.each(['#ffffff', '#000000', '#808080'])('the pill text reaches 4.5:1 on a %s page', (page) => {
    const pill = parseCssColor(set['--pill']!)!;
    expect(contrast(hex('--on-pill'), flatten(parseHex(page), [pill]))).toBeGreaterThanOrEqual(AA_TEXT);
  });
});

/** The popup's variables per scheme, read from its stylesheet. */
function popupSets(): Record<'light' | 'dark', Record<string, string>> {
  const css = readFileSync(resolve(import.meta.dirname, '../../../extension/popup/popup.css'), 'utf8');
  const vars = (block: string) =>
    Object.fromEntries([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1]!, m[2]!]));
  const light = vars(/:root\s*\{([^}]*)\}/.exec(css)![1]!);
  const dark = vars(/prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)![1]!);
  return { light, dark: { ...light, ...dark } };
}

describe.each(['light', 'dark'] as const)('the popup, %s scheme', (scheme) => {
  const set = popupSets()[scheme];
  it.each([
    ['--text', '--bg'],
    ['--text', '--card'],
    ['--muted', '--bg'],
    ['--muted', '--card'],
    ['--ok-text', '--card'],
    ['--bad-text', '--card'],
    ['--bad-text', '--bg'],
  ])('%s on %s reaches 4.5:1', (text, surface) => {
    expect(contrast(set[text]!, set[surface]!)).toBeGreaterThanOrEqual(AA_TEXT);
  });
});
