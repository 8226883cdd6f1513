/**
 * What the popup's colour radios are called (a screen reader says "Teal, radio button",
 * not "#0d9b8a"). Keyed by the worker's palette (background/settings.ts, which the popup
 * does not import); tests/unit/extension/color-names.test.ts checks every palette colour
 * has a name. An unknown colour is called by its code.
 */
import { t, type MessageKey } from '../shared/i18n.js';

const NAMES: Readonly<Record<string, MessageKey>> = {
  '#e5484d': 'a11yColorRed',
  '#f76b15': 'a11yColorOrange',
  '#d6a100': 'a11yColorYellow',
  '#30a46c': 'a11yColorGreen',
  '#0d9b8a': 'a11yColorTeal',
  '#0090ff': 'a11yColorBlue',
  '#6e56cf': 'a11yColorPurple',
  '#d6409f': 'a11yColorPink',
};

/** The name of a palette colour in the browser's language. */
export function colorName(color: string): string {
  const key = NAMES[color.toLowerCase()];
  return key ? t(key) : color;
}
