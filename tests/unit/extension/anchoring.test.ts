// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { Selector } from '../../../protocol/index.js';
import { Selector as SelectorSchema } from '../../../protocol/index.js';
import {
  anchor,
  buildTextIndex,
  describe as describeRange,
  findQuote,
  locate,
  offsetsOfRange,
  rangeFromOffsets,
} from '../../../extension/content/anchoring/index.js';

const ARTICLE = `
  <h1>The keeper</h1>
  <p id="p1">Every evening the keeper climbed the steps to <em>light</em> the lamp.</p>
  <p id="p2">The sea was calm, and the keeper wrote in the ledger.</p>
`;

/** A range over the first occurrence of `word` in the element matching `selector`. */
function rangeOf(selector: string, word: string, root: ParentNode = document): Range {
  const element = root.querySelector(selector)!;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(word);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    return range;
  }
  throw new Error(`no ${word} in ${selector}`);
}

const pageText = (): string => buildTextIndex(document.body).text;

beforeEach(() => {
  document.body.innerHTML = ARTICLE;
});

describe('page text', () => {
  it('collapses whitespace, separates blocks and skips scripts, styles and our overlay', () => {
    document.body.innerHTML =
      '<div>One<p>two\n\n   three</p><ul><li>four</li><li>five&nbsp;&nbsp;six</li></ul>seven<br>eight</div>' +
      '<script>var x = "no";</script><style>p { color: red }</style>' +
      '<div data-collab-root>overlay text</div>nine<b>ten</b> <i>eleven</i>';
    // Inline elements without whitespace between them join words, as on screen.
    expect(pageText()).toBe('One two three four five six seven eight nineten eleven');
  });

  it('maps offsets to DOM ranges and back, also across nodes and collapsed whitespace', () => {
    document.body.innerHTML = '<p>  alpha   <em>beta</em>\n gamma</p><p>delta</p>';
    const index = buildTextIndex(document.body);
    expect(index.text).toBe('alpha beta gamma delta');
    for (const word of ['alpha', 'beta', 'gamma', 'delta', 'alpha beta', 'beta gamma delta']) {
      const start = index.text.indexOf(word);
      const range = rangeFromOffsets(index, start, start + word.length)!;
      // The DOM text has no space between the two paragraphs; the page text does.
      expect(range.toString().replace(/\s+/g, ' ')).toBe(word.replace(' delta', 'delta'));
      expect(offsetsOfRange(index, range)).toEqual({ start, end: start + word.length });
    }
  });
});

describe('describe', () => {
  it('makes a quote with 32 characters of context, a position and a refined range selector', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    const text = pageText();
    const start = text.indexOf('ledger');
    const inP2 = 'The sea was calm, and the keeper wrote in the '.length;
    expect(selectors).toEqual([
      {
        type: 'TextQuoteSelector',
        exact: 'ledger',
        prefix: text.slice(start - 32, start),
        suffix: text.slice(start + 6, start + 6 + 32),
      },
      { type: 'TextPositionSelector', start, end: start + 6 },
      {
        type: 'CssSelector',
        value: '#p2',
        refinedBy: { type: 'TextPositionSelector', start: inP2, end: inP2 + 6 },
      },
    ]);
    for (const selector of selectors) expect(SelectorSchema.safeParse(selector).success).toBe(true);
  });

  it('paths from body with nth-of-type where no stable id exists', () => {
    document.body.innerHTML =
      '<main><p>first</p><p>second <b>bold</b></p></main><div id="ember1234"><p>x y</p></div>';
    const [, , bold] = describeRange(rangeOf('main p:nth-of-type(2) b', 'bold'), document.body);
    expect(bold).toMatchObject({ type: 'CssSelector', value: 'body > main > p:nth-of-type(2) > b' });
    // A generated-looking id is not a stable starting point.
    const [, , generated] = describeRange(rangeOf('#ember1234 p', 'x y'), document.body);
    expect(generated).toMatchObject({ value: 'body > div > p' });
  });

  it('spans elements and trims surrounding whitespace', () => {
    const p1 = document.getElementById('p1')!;
    const range = document.createRange();
    const first = p1.firstChild as Text;
    range.setStart(first, first.data.indexOf('to') + 2); // " " before <em>
    range.setEnd(p1.lastChild as Text, 4); // " the"
    const [quote, , element] = describeRange(range, document.body);
    expect(quote).toMatchObject({ type: 'TextQuoteSelector', exact: 'light the' });
    expect(element).toMatchObject({ type: 'CssSelector', value: '#p1' });
  });

  it('gives nothing for a whitespace-only selection or one outside the root', () => {
    const range = document.createRange();
    range.setStart(document.body, 0);
    range.setEnd(document.body, 0);
    expect(describeRange(range, document.body)).toEqual([]);
    const detached = document.createElement('p');
    detached.textContent = 'elsewhere';
    const outside = document.createRange();
    outside.selectNodeContents(detached);
    expect(describeRange(outside, document.body)).toEqual([]);
  });
});

describe('anchor', () => {
  it('round-trips to the same words', () => {
    const selectors = describeRange(rangeOf('#p1', 'climbed'), document.body);
    const range = anchor(selectors, document.body);
    expect(range?.toString()).toBe('climbed');
    expect(range?.startContainer.parentElement?.id).toBe('p1');
  });

  it('round-trips a quote that spans elements', () => {
    const range = document.createRange();
    range.setStart(
      document.querySelector('#p1')!.firstChild!,
      'Every evening the keeper climbed the steps to '.length,
    );
    range.setEnd(document.querySelector('#p1')!.lastChild!, ' the lamp'.length);
    const found = anchor(describeRange(range, document.body), document.body);
    expect(found?.toString()).toBe('light the lamp');
  });

  it('still finds the words after text was added before them (position stale, quote found)', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    document.querySelector('h1')!.textContent = 'The keeper of the northern light, a longer title';
    const range = anchor(selectors, document.body);
    expect(range?.toString()).toBe('ledger');
    expect(range?.startContainer.parentElement?.id).toBe('p2');
  });

  it('uses the range selector to tell identical passages apart after the page shifted', () => {
    const repeated = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.';
    document.body.innerHTML = `<p id="a">${repeated}</p><p id="b">${repeated}</p>`;
    const selectors = describeRange(rangeOf('#b', 'dolor sit'), document.body);
    // Text added at the top: the position now points into #a, the range selector still into #b.
    document.body.insertAdjacentHTML('afterbegin', '<h1>A title that moves everything</h1>');
    expect(anchor(selectors, document.body)?.startContainer.parentElement?.id).toBe('b');
  });

  it('tells repeated words apart by their prefix and suffix, even with a misleading position', () => {
    // "keeper" occurs in #p1 and #p2; take the second one.
    const selectors = describeRange(rangeOf('#p2', 'keeper'), document.body);
    const quote = selectors.find((s) => s.type === 'TextQuoteSelector')!;
    const wrongPosition: Selector = { type: 'TextPositionSelector', start: 0, end: 6 };
    const range = anchor([quote, wrongPosition], document.body);
    expect(range?.startContainer.parentElement?.id).toBe('p2');
    expect(range?.toString()).toBe('keeper');

    const first = anchor(describeRange(rangeOf('#p1', 'keeper'), document.body), document.body);
    expect(first?.startContainer.parentElement?.id).toBe('p1');
  });

  it('re-attaches to slightly edited words with the approximate search', () => {
    const selectors = describeRange(rangeOf('#p2', 'the keeper wrote in the ledger'), document.body);
    document.getElementById('p2')!.textContent = 'The sea was calm, and the keeper wrote into the ledger.';
    const found = locate(selectors, document.body);
    expect(found).toMatchObject({ errors: 2 });
    expect(anchor(selectors, document.body)?.toString()).toBe('the keeper wrote into the ledger');
  });

  it('is an orphan when the words are gone, never other words', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    document.getElementById('p2')!.textContent = 'The sea was calm, and the keeper wrote in the logbook.';
    expect(anchor(selectors, document.body)).toBeNull();
  });

  it('is an orphan when a longer passage was rewritten beyond the error budget', () => {
    const selectors = describeRange(rangeOf('#p2', 'the keeper wrote in the ledger'), document.body);
    document.getElementById('p2')!.textContent = 'The sea was calm, and the captain read from a novel.';
    expect(anchor(selectors, document.body)).toBeNull();
  });

  it('does not attach a short quote to the same words in an unrelated place', () => {
    const selectors = describeRange(rangeOf('#p2', 'the ledger'), document.body);
    document.body.innerHTML = '<p>Nothing here is like before; we closed the ledger for good and left.</p>';
    expect(anchor(selectors, document.body)).toBeNull();
  });

  it('does not trust a position whose text no longer matches the quote', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    document.body.innerHTML =
      '<p>Completely different text of about the same length as before, no match.</p>';
    expect(anchor(selectors, document.body)).toBeNull();
  });

  it('is an orphan without a quote selector', () => {
    expect(anchor([{ type: 'TextPositionSelector', start: 0, end: 3 }], document.body)).toBeNull();
  });
});

describe('findQuote', () => {
  const quote = (exact: string, prefix?: string, suffix?: string) => ({ exact, prefix, suffix });

  it('prefers the occurrence whose context matches', () => {
    const text = 'a cat sat. the cat ran. my cat slept.';
    expect(findQuote(text, quote('cat', 'the ', ' ran'))?.start).toBe(text.indexOf('the cat') + 4);
    expect(findQuote(text, quote('cat', 'my ', ''))?.start).toBe(text.lastIndexOf('cat'));
  });

  it('refuses to guess between several occurrences when no context agrees', () => {
    expect(findQuote('x cat y cat z', quote('cat', 'QQ', 'WW'))).toBeNull();
    expect(findQuote('x cat y cat z', quote('cat', 'QQ', 'WW'), 8)).toBeNull();
  });

  it('uses the position to break a tie', () => {
    const text = 'cat cat cat';
    expect(findQuote(text, quote('cat'), 8)?.start).toBe(8);
    expect(findQuote(text, quote('cat'))).toBeNull();
  });

  it('refuses an approximate match that is as good in two places', () => {
    const text = 'one: the quick brown fax jumps. two: the quick brown fix jumps.';
    expect(findQuote(text, quote('the quick brown fox jumps', '', ''))).toBeNull();
  });
});
