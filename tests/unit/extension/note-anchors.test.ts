// @vitest-environment happy-dom
/**
 * Anchors are remembered per note: a note is anchored again only when its selectors
 * change or the page settles after a change of its text, and a note that arrives after
 * the text changed is anchored on the page as it is now.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { describe as describeRange } from '../../../extension/content/anchoring/index.js';
import { NoteAnchors } from '../../../extension/content/notes/note-anchors.js';

function selectorsOf(word: string) {
  const p = document.getElementById('p')!;
  const text = [...p.childNodes].find((n): n is Text => n instanceof Text && n.data.includes(word))!;
  const at = text.data.indexOf(word);
  const range = document.createRange();
  range.setStart(text, at);
  range.setEnd(text, at + word.length);
  return describeRange(range, document.body);
}

const rangeOf = (target: ReturnType<NoteAnchors['resolve']>) =>
  target.kind === 'range' ? target.range : null;

beforeEach(() => {
  document.body.innerHTML = '<p id="p">The keeper climbed the steps and wrote in the ledger.</p>';
});

describe('NoteAnchors', () => {
  it('anchors a note once and reuses it while its selectors are the same', () => {
    const anchors = new NoteAnchors(document);
    const first = anchors.resolve('a', selectorsOf('keeper'));
    expect(rangeOf(first)?.toString()).toBe('keeper');
    // Same selectors, even as a new array (a note sent again): the same anchor.
    expect(anchors.resolve('a', selectorsOf('keeper'))).toBe(first);
    const moved = anchors.resolve('a', selectorsOf('ledger'));
    expect(moved).not.toBe(first);
    expect(rangeOf(moved)?.toString()).toBe('ledger');
  });

  it('anchors a new note on the text as it is now, and the others again once the page settled', () => {
    const anchors = new NoteAnchors(document);
    const keeperSelectors = selectorsOf('keeper');
    const keeper = anchors.resolve('a', keeperSelectors);
    const ledger = selectorsOf('ledger');
    // The page replaces the paragraph's text (a single-page app re-rendering it).
    document.getElementById('p')!.innerHTML =
      'Every night <b>the keeper</b> climbed and wrote in the ledger.';
    anchors.textChanged();
    expect(anchors.resolve('a', keeperSelectors)).toBe(keeper);
    const fresh = rangeOf(anchors.resolve('b', ledger));
    expect(fresh?.toString()).toBe('ledger');
    expect(document.body.contains(fresh!.startContainer)).toBe(true);
    anchors.reanchorAll();
    const again = anchors.resolve('a', keeperSelectors);
    expect(again).not.toBe(keeper);
    expect(rangeOf(again)?.toString()).toBe('keeper');
    expect(document.body.contains(rangeOf(again)!.startContainer)).toBe(true);
  });

  it('forgets notes that are gone', () => {
    const anchors = new NoteAnchors(document);
    const keeper = anchors.resolve('a', selectorsOf('keeper'));
    anchors.retain(new Set());
    expect(anchors.resolve('a', selectorsOf('keeper'))).not.toBe(keeper);
  });
});
