// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observeChanges } from '../../../extension/content/anchoring/watch-mutations.js';

/** Lets the observer deliver its records (a microtask), without moving the clock. */
const delivered = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe('observeChanges', () => {
  let stop: (() => void) | undefined;
  const callback = vi.fn();

  beforeEach(() => {
    vi.useFakeTimers();
    callback.mockClear();
    document.body.innerHTML =
      '<main><p id="text">first</p></main><div data-collab-root><span>card</span></div>';
  });

  afterEach(() => {
    stop?.();
    vi.useRealTimers();
  });

  it('calls back once, after the page has been quiet for the delay', async () => {
    stop = observeChanges(document.body, callback, 300);
    document.getElementById('text')!.textContent = 'second';
    await delivered();
    await vi.advanceTimersByTimeAsync(200);
    document.querySelector('main')!.append(document.createElement('p'));
    await delivered();
    await vi.advanceTimersByTimeAsync(299);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('sees text changes inside a text node (late content rewriting words)', async () => {
    stop = observeChanges(document.body, callback, 100);
    (document.getElementById('text')!.firstChild as Text).data = 'changed';
    await delivered();
    await vi.advanceTimersByTimeAsync(100);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('tells onChange at once of every change of the page, not of the overlay, before the debounced call', async () => {
    const changed = vi.fn();
    stop = observeChanges(document.body, callback, 300, { onChange: changed });
    document.querySelector('[data-collab-root] span')!.textContent = 'another card';
    await delivered();
    expect(changed).not.toHaveBeenCalled();
    document.getElementById('text')!.textContent = 'second';
    await delivered();
    expect(changed).toHaveBeenCalledTimes(1);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('ignores changes inside the overlay and adding or removing the overlay host', async () => {
    stop = observeChanges(document.body, callback, 100);
    document.querySelector('[data-collab-root] span')!.textContent = 'another card';
    const host = document.createElement('div');
    host.setAttribute('data-collab-root', '');
    document.body.append(host);
    host.remove();
    await delivered();
    await vi.advanceTimersByTimeAsync(1000);
    expect(callback).not.toHaveBeenCalled();
  });

  it('still calls back at least every maxWaitMs on a page that never stops changing', async () => {
    stop = observeChanges(document.body, callback, 100, { maxWaitMs: 500 });
    const text = document.getElementById('text')!;
    for (let i = 0; i < 10; i++) {
      text.textContent = `tick ${i}`;
      await delivered();
      await vi.advanceTimersByTimeAsync(60);
    }
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('stops observing and cancels a pending call', async () => {
    stop = observeChanges(document.body, callback, 100);
    document.getElementById('text')!.textContent = 'pending';
    await delivered();
    stop();
    document.getElementById('text')!.textContent = 'after stop';
    await delivered();
    await vi.advanceTimersByTimeAsync(1000);
    expect(callback).not.toHaveBeenCalled();
  });
});
