// @vitest-environment happy-dom
/**
 * Cards' relative times follow the clock without their notes changing: each tick rewrites
 * every shown `<time>` from its `datetime`, only while notes are shown.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NoteTimes } from '../../../extension/content/notes/note-times.js';
import { TEXT_ATTRIBUTE, setText } from '../../../extension/content/overlay-text.js';

const created = '2026-12-01T12:00:00.000Z';

function cardTime(): { root: HTMLElement; time: HTMLTimeElement; kept: HTMLElement } {
  const root = document.createElement('div');
  const kept = document.createElement('textarea');
  const time = document.createElement('time');
  time.dateTime = created;
  setText(time, 'just now');
  root.append(time, kept);
  return { root, time, kept };
}

describe('NoteTimes', () => {
  afterEach(() => vi.useRealTimers());

  it('rewrites a shown time from its datetime, touching nothing else', () => {
    const { root, time, kept } = cardTime();
    new NoteTimes(root).refresh(Date.parse(created) + 3 * 60_000);
    expect(time.getAttribute(TEXT_ATTRIBUTE)).toBe('3 minutes ago');
    expect(root.lastElementChild).toBe(kept);
  });

  it('ticks while active and stops when no note is shown', () => {
    vi.useFakeTimers({ now: Date.parse(created) });
    const { root, time } = cardTime();
    const times = new NoteTimes(root, 30_000);
    times.setActive(true);
    vi.advanceTimersByTime(2 * 60_000);
    expect(time.getAttribute(TEXT_ATTRIBUTE)).toBe('2 minutes ago');
    times.setActive(false);
    vi.advanceTimersByTime(60 * 60_000);
    expect(time.getAttribute(TEXT_ATTRIBUTE)).toBe('2 minutes ago');
  });
});
