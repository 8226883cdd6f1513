// @vitest-environment happy-dom
/**
 * The popup's save-as-you-type fields (extension/popup/autosave.ts): a value is saved once
 * typing pauses, at once on Enter, and when the popup goes away before either (the toolbar
 * popup closes on click-away); a value that does not parse is never sent and the hint says why.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_DELAY_MS, autosave, type Parsed } from '../../../extension/popup/autosave.js';

let input: HTMLInputElement;
let hint: HTMLElement;
let saved: string;
let sent: string[];

const parse = (text: string): Parsed<string> =>
  text.trim() === ''
    ? { ok: false, message: 'A name has 1 to 40 characters.' }
    : { ok: true, value: text.trim() };

function type(text: string): void {
  input.value = text;
  input.dispatchEvent(new Event('input'));
}

beforeEach(() => {
  vi.useFakeTimers();
  document.body.innerHTML = '<input id="name" /><p id="hint" hidden></p>';
  input = document.querySelector<HTMLInputElement>('#name')!;
  hint = document.querySelector<HTMLElement>('#hint')!;
  saved = 'Guest 1234';
  sent = [];
  autosave({
    input,
    hint,
    parse,
    saved: () => saved,
    save: async (value) => {
      sent.push(value);
      saved = value;
      return true;
    },
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('autosave', () => {
  it('saves once typing pauses, not on every key', async () => {
    type('A');
    type('Al');
    type('Alice');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS - 1);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(['Alice']);
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toBe('Saved');
  });

  it('saves at once on Enter and sends nothing again for the same value', async () => {
    type('Alice');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['Alice']);
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS * 2);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(sent).toEqual(['Alice']);
  });

  it('saves what was typed when the popup closes before the pause, Enter or blur', async () => {
    type('Alice');
    window.dispatchEvent(new Event('pagehide'));
    expect(sent).toEqual(['Alice']);

    type('Alice B');
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(sent).toEqual(['Alice', 'Alice B']);
  });

  it('never sends a value that does not parse, and says why in the hint', async () => {
    type('   ');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(sent).toEqual([]);
    expect(hint.textContent).toBe('A name has 1 to 40 characters.');
    expect(input.getAttribute('aria-invalid')).toBe('true');

    type('Bob');
    input.dispatchEvent(new Event('change'));
    expect(sent).toEqual(['Bob']);
    expect(input.getAttribute('aria-invalid')).toBe('false');
  });
});
