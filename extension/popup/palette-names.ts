/** The profile colours by name, for screen readers: "Red" (빨강) rather than "#e5484d". */
import { t, type MessageKey } from '../shared/i18n.js';

/** The worker's palette (background/settings.ts); a test checks that every colour of it has a name. */
const NAMES: Partial<Record<string, MessageKey>> = {
  '#e5484d': 'colorRed',
  '#f76b15': 'colorOrange',
  '#d6a100': 'colorYellow',
  '#30a46c': 'colorGreen',
  '#0d9b8a': 'colorTeal',
  '#0090ff': 'colorBlue',
  '#6e56cf': 'colorPurple',
  '#d6409f': 'colorPink',
};

/** The colour's name in the UI language; its code for a colour without one. */
export function colorName(color: string): string {
  const key = NAMES[color.toLowerCase()];
  return key ? t(key) : color;
}
