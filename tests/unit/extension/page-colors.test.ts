// @vitest-environment happy-dom
/**
 * The page's colours behind a note's words: the nearest opaque background, layers with
 * alpha painted over it, transparent ones skipped, and the canvas under a page that has
 * none (white, or dark for a page that asks for a dark scheme only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pageColors } from '../../../extension/content/page-colors.js';

afterEach(() => {
  document.body.innerHTML = '';
  document.body.removeAttribute('style');
  document.documentElement.removeAttribute('style');
});

function paragraph(style: string): HTMLElement {
  const p = document.createElement('p');
  p.setAttribute('style', style);
  p.textContent = 'words';
  document.body.append(p);
  return p;
}

describe('pageColors', () => {
  it('reads the text colour and the nearest opaque background up the tree', () => {
    document.body.setAttribute('style', 'background-color: rgb(18, 18, 18)');
    const p = paragraph('color: rgb(228, 228, 228)');
    expect(pageColors(p)).toEqual({ text: { r: 228, g: 228, b: 228 }, background: { r: 18, g: 18, b: 18 } });
  });

  it('paints translucent layers over what is below them', () => {
    document.body.setAttribute('style', 'background-color: rgb(0, 0, 0)');
    const p = paragraph('color: rgb(0, 0, 0); background-color: rgba(255, 255, 255, 0.5)');
    expect(pageColors(p).background).toEqual({ r: 127.5, g: 127.5, b: 127.5 });
  });

  it('falls back to the canvas: white, or dark when the page asks for dark only', () => {
    const p = paragraph('color: rgb(0, 0, 0)');
    expect(pageColors(p).background).toEqual({ r: 255, g: 255, b: 255 });
    document.documentElement.setAttribute('style', 'color-scheme: dark');
    expect(pageColors(p).background).toEqual({ r: 18, g: 18, b: 18 });
  });
});
