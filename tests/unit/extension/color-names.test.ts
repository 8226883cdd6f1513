/**
 * Every colour of the worker's palette has a spoken name in the popup (the popup cannot
 * import the palette, so the two lists are held together here).
 */
import { describe, expect, it } from 'vitest';
import { PALETTE } from '../../../extension/background/settings.js';
import { colorName } from '../../../extension/popup/color-names.js';

describe('colour names', () => {
  it('names every palette colour, each differently', () => {
    const names = PALETTE.map((color) => colorName(color));
    for (const [i, name] of names.entries()) expect(name, PALETTE[i]).not.toMatch(/^#/);
    expect(new Set(names).size).toBe(PALETTE.length);
    expect(colorName('#123456')).toBe('#123456');
  });
});
