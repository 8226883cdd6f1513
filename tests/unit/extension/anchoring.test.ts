// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { Selector } from '../../../protocol/index.js';
import { anchor, describe as describeRange, findQuote } from '../../../extension/content/anchoring/index.js';

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

beforeEach(() => {
  document.body.innerHTML = ARTICLE;
});

describe('describe', () => {
  it('makes a quote with up to 32 characters of context and a position over body text', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    const text = document.body.textContent!;
    const start = text.indexOf('ledger');
    expect(selectors).toEqual([
      {
        type: 'TextQuoteSelector',
        exact: 'ledger',
        prefix: text.slice(start - 32, start),
        suffix: text.slice(start + 6, start + 6 + 32),
      },
      { type: 'TextPositionSelector', start, end: start + 6 },
    ]);
  });

  it('spans elements and trims surrounding whitespace', () => {
    const p1 = document.getElementById('p1')!;
    const range = document.createRange();
    const first = p1.firstChild as Text;
    range.setStart(first, first.data.indexOf('to') + 2); // " " before <em>
    range.setEnd(p1.lastChild as Text, 4); // " the"
    const [quote] = describeRange(range, document.body);
    expect(quote).toMatchObject({ type: 'TextQuoteSelector', exact: 'light the' });
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

  it('is an orphan when the words are gone, never other words', () => {
    const selectors = describeRange(rangeOf('#p2', 'ledger'), document.body);
    document.getElementById('p2')!.textContent = 'The sea was calm, and the keeper wrote in the logbook.';
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
  const quote = (exact: string, prefix?: string, suffix?: string) =>
    ({ type: 'TextQuoteSelector', exact, prefix, suffix }) as const;

  it('prefers the occurrence whose context matches', () => {
    const text = 'a cat sat. the cat ran. my cat slept.';
    expect(findQuote(text, quote('cat', 'the ', ' ran'))).toBe(text.indexOf('the cat') + 4);
    expect(findQuote(text, quote('cat', 'my ', ''))).toBe(text.lastIndexOf('cat'));
  });

  it('refuses to guess between several occurrences when no context agrees and no position is known', () => {
    expect(findQuote('x cat y cat z', quote('cat', 'Q', 'W'))).toBeNull();
  });

  it('uses the position to break a tie', () => {
    const text = 'cat cat cat';
    expect(findQuote(text, quote('cat'), 8)).toBe(8);
  });
});
