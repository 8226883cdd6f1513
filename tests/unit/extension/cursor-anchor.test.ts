// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cssPath,
  describeCursor,
  resolveCursor,
  resolveCursorAnchor,
} from '../../../extension/content/cursor-anchor.js';

const PAGE = `
  <main id="main">
    <p>first</p>
    <p>second <em>word</em> here</p>
  </main>
  <section><div><span>a</span><span>b</span></div></section>
  <div id="dup"></div><div id="dup"><b>x</b></div>
`;

/** happy-dom does no layout: give an element the box a browser would. */
function setBox(element: Element, box: { left: number; top: number; width: number; height: number }): void {
  element.getBoundingClientRect = () =>
    ({
      ...box,
      x: box.left,
      y: box.top,
      right: box.left + box.width,
      bottom: box.top + box.height,
    }) as DOMRect;
}

function setDocumentSize(doc: Document, width: number, height: number): void {
  Object.defineProperty(doc.documentElement, 'scrollWidth', { value: width, configurable: true });
  Object.defineProperty(doc.documentElement, 'scrollHeight', { value: height, configurable: true });
}

/** A second copy of the page, as another user's browser would have it. */
function otherDocument(): Document {
  const doc = document.implementation.createHTMLDocument('other');
  doc.body.innerHTML = PAGE;
  return doc;
}

beforeEach(() => {
  document.body.innerHTML = PAGE;
  setDocumentSize(document, 1000, 2000);
});

describe('cssPath', () => {
  it('starts from the nearest ancestor with a unique id and indexes only ambiguous steps', () => {
    const em = document.querySelector('em')!;
    expect(cssPath(em)).toBe('#main > p:nth-of-type(2) > em');
    expect(cssPath(document.getElementById('main')!)).toBe('#main');
  });

  it('starts from body when no ancestor has a unique id', () => {
    const second = document.querySelectorAll('section span')[1]!;
    expect(cssPath(second)).toBe('body > section > div > span:nth-of-type(2)');
    const bold = document.querySelector('b')!;
    expect(cssPath(bold)).toBe('body > div:nth-of-type(2) > b');
  });

  it('finds the same element when used as a selector', () => {
    for (const element of document.body.querySelectorAll('*')) {
      const path = cssPath(element);
      expect(path).not.toBeNull();
      expect(document.querySelector(path!)).toBe(element);
    }
  });

  it('gives null for elements outside body', () => {
    expect(cssPath(document.head)).toBeNull();
  });
});

describe('describeCursor / resolveCursor', () => {
  it('round-trips through an element anchor when the element moved on the other page', () => {
    const em = document.querySelector('em')!;
    setBox(em, { left: 100, top: 200, width: 50, height: 20 });
    const cursor = describeCursor(document, 110, 215, em);
    expect(cursor.anchor).toEqual({ path: '#main > p:nth-of-type(2) > em', fx: 0.2, fy: 0.75 });
    expect(cursor.x).toBeCloseTo(0.11);
    expect(cursor.y).toBeCloseTo(0.1075);

    // The other user's window is narrower: the word is elsewhere and bigger.
    const other = otherDocument();
    setDocumentSize(other, 500, 4000);
    setBox(other.querySelector('em')!, { left: 40, top: 400, width: 100, height: 40 });
    expect(resolveCursor(other, cursor)).toEqual({ x: 60, y: 430 });
  });

  it('falls back to fractions of the document size when the element is missing', () => {
    const other = document.implementation.createHTMLDocument('other');
    setDocumentSize(other, 800, 1000);
    const cursor = { x: 0.25, y: 0.5, anchor: { path: '#nowhere > p', fx: 0.5, fy: 0.5 } };
    expect(resolveCursorAnchor(other, cursor.anchor)).toBeNull();
    expect(resolveCursor(other, cursor)).toEqual({ x: 200, y: 500 });
  });

  it('survives a path that is not a valid selector here', () => {
    const cursor = { x: 0.1, y: 0.1, anchor: { path: 'p:nth-of-type(', fx: 0, fy: 0 } };
    expect(resolveCursor(document, cursor)).toEqual({ x: 100, y: 200 });
  });

  it('sends no anchor for a pointer over our own UI and clamps fractions to 0..1', () => {
    const cursor = describeCursor(document, 5000, -10, null);
    expect(cursor).toEqual({ x: 1, y: 0 });
  });

  it('clamps the offset inside the box to 0..1', () => {
    const em = document.querySelector('em')!;
    setBox(em, { left: 100, top: 200, width: 50, height: 20 });
    expect(describeCursor(document, 90, 230, em).anchor).toMatchObject({ fx: 0, fy: 1 });
  });
});

describe('cssPath and generated ids', () => {
  it('does not start a path from an id a framework generated, which differs on the next load', () => {
    document.body.innerHTML = '<div id="ember1234"><p>one</p><p>two</p></div>';
    expect(cssPath(document.querySelectorAll('p')[1]!)).toBe('body > div > p:nth-of-type(2)');
  });
});

describe('one CSS path for cursors and notes', () => {
  it('describes an element the same way in a cursor anchor and in a note’s range selector', async () => {
    const { describe: describeRange } = await import('../../../extension/content/anchoring/index.js');
    document.body.innerHTML =
      '<div id="app-4821"><main id="story"><p>one</p><p>The keeper <em>wrote</em> here</p></main></div>' +
      '<section id="yui_3_18"><div id="fig-123"><p>two</p><p>again <b>bold</b></p></div></section>';
    for (const element of [document.querySelector('em')!, document.querySelector('b')!]) {
      const range = document.createRange();
      range.selectNodeContents(element);
      const selector = describeRange(range, document.body).find((s) => s.type === 'CssSelector');
      expect(selector?.value).toBe(cssPath(element));
    }
    expect(cssPath(document.querySelector('em')!)).toBe('#story > p:nth-of-type(2) > em');
    // Generated-looking ids (a counter, a framework prefix) are never a starting point.
    expect(cssPath(document.querySelector('b')!)).toBe('body > section > div > p:nth-of-type(2) > b');
  });
});
