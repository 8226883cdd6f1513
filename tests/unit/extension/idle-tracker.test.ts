// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_AFTER_MS, IdleTracker } from '../../../extension/content/idle-tracker.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IdleTracker', () => {
  it('goes idle after a minute without input and active again on the next input', () => {
    const changes: boolean[] = [];
    const tracker = new IdleTracker(window, (idle) => changes.push(idle));
    tracker.setEnabled(true);
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1_000);
    // Input before the minute is up starts the minute again.
    window.dispatchEvent(new Event('keydown'));
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1_000);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(changes).toEqual([true]);
    expect(tracker.idle).toBe(true);
    window.dispatchEvent(new Event('pointermove'));
    expect(changes).toEqual([true, false]);
    vi.advanceTimersByTime(IDLE_AFTER_MS);
    expect(changes).toEqual([true, false, true]);
  });

  it('counts activity() (keys typed into the overlay, which the window never sees) as input', () => {
    const changes: boolean[] = [];
    const tracker = new IdleTracker(window, (idle) => changes.push(idle));
    tracker.setEnabled(true);
    vi.advanceTimersByTime(IDLE_AFTER_MS);
    expect(changes).toEqual([true]);
    tracker.activity();
    expect(changes).toEqual([true, false]);
    tracker.setEnabled(false);
    tracker.activity();
    expect(changes).toEqual([true, false]);
  });

  it('does nothing while disabled', () => {
    const changes: boolean[] = [];
    const tracker = new IdleTracker(window, (idle) => changes.push(idle));
    tracker.setEnabled(true);
    tracker.setEnabled(false);
    vi.advanceTimersByTime(IDLE_AFTER_MS * 2);
    expect(changes).toEqual([]);
  });

  it('turns idle at exactly 60 s of quiet, not before', () => {
    const changes: boolean[] = [];
    new IdleTracker(window, (idle) => changes.push(idle)).setEnabled(true);
    vi.advanceTimersByTime(59_999);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([true]);
  });

  it.each(['pointermove', 'pointerdown', 'keydown', 'wheel', 'scroll', 'touchstart'])(
    'counts %s as input: it wakes an idle user and restarts the minute',
    (type) => {
      const changes: boolean[] = [];
      const tracker = new IdleTracker(window, (idle) => changes.push(idle));
      tracker.setEnabled(true);
      vi.advanceTimersByTime(30_000);
      window.dispatchEvent(new Event(type));
      vi.advanceTimersByTime(59_000);
      expect(changes).toEqual([]);
      vi.advanceTimersByTime(1_000);
      expect(changes).toEqual([true]);
      // Input on any element reaches the window's capture listener too.
      document.body.dispatchEvent(new Event(type, { bubbles: type !== 'scroll' }));
      expect(changes).toEqual([true, false]);
      expect(tracker.idle).toBe(false);
      tracker.setEnabled(false);
    },
  );
});
