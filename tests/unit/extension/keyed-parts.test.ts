// @vitest-environment happy-dom
/**
 * The notes view updates its DOM in place: an element whose part did not change is the
 * same element afterwards (so a focused editor keeps its focus and text), a changed part
 * is rebuilt, and order follows the parts.
 */
import { describe, expect, it } from 'vitest';
import { reconcile, type Part } from '../../../extension/content/notes/keyed-parts.js';

let builds = 0;
const part = (key: string, sig: string, children?: Part[]): Part => ({
  key,
  sig,
  build: () => {
    builds++;
    const element = document.createElement('div');
    element.setAttribute('data-key', key);
    element.setAttribute('data-sig', sig);
    return element;
  },
  children,
});

const keys = (parent: Element) => [...parent.children].map((c) => c.getAttribute('data-key'));

describe('reconcile', () => {
  it('builds only the parts that are new or changed and keeps the others as they are', () => {
    const root = document.createElement('div');
    reconcile(root, [part('a', '1'), part('b', '1'), part('c', '1')]);
    const [a, b, c] = [...root.children];
    builds = 0;
    reconcile(root, [part('a', '1'), part('b', '2'), part('c', '1'), part('d', '1')]);
    expect(builds).toBe(2);
    expect(root.children[0]).toBe(a);
    expect(root.children[1]).not.toBe(b);
    expect(root.children[1]!.getAttribute('data-sig')).toBe('2');
    expect(root.children[2]).toBe(c);
    expect(keys(root)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('removes parts that are gone and follows a new order', () => {
    const root = document.createElement('div');
    reconcile(root, [part('a', ''), part('b', ''), part('c', '')]);
    const c = root.children[2];
    reconcile(root, [part('c', ''), part('a', '')]);
    expect(keys(root)).toEqual(['c', 'a']);
    expect(root.children[0]).toBe(c);
  });

  it('keeps a focused editor inside a container while its siblings change', () => {
    const root = document.createElement('div');
    document.body.append(root);
    const editor: Part = {
      key: 'editor',
      sig: '',
      build: () => document.createElement('textarea'),
    };
    reconcile(root, [part('card', '', [part('reply:1', ''), editor])]);
    const textarea = root.querySelector('textarea')!;
    textarea.value = 'half a reply';
    textarea.focus();
    reconcile(root, [part('card', '', [part('reply:1', ''), part('reply:2', ''), editor])]);
    expect(root.querySelector('textarea')).toBe(textarea);
    expect(document.activeElement).toBe(textarea);
    expect(textarea.value).toBe('half a reply');
    root.remove();
  });

  it('never moves a kept element to make way for a new one when the part before it went (its focus would go)', async () => {
    const root = document.createElement('div');
    reconcile(root, [part('pending', '1'), part('link', '1')]);
    const link = root.children[1]!;
    const moved: Node[] = [];
    const observer = new MutationObserver((records) => records.forEach((r) => moved.push(...r.addedNodes)));
    observer.observe(root, { childList: true });
    // The stored reply replaces its pending copy, in front of the kept Reply link.
    reconcile(root, [part('reply', '1'), part('link', '1')]);
    await Promise.resolve();
    observer.disconnect();
    expect(keys(root)).toEqual(['reply', 'link']);
    expect(root.children[1]).toBe(link);
    expect(moved).not.toContain(link);
  });
});
