import { describe, expect, it } from 'vitest';
import { createFrameThrottle, type FrameScheduler } from '../../../extension/content/frame-throttle.js';

/** A hand-driven clock with animation frames every `frameMs` and timers, no real waiting. */
function fakeScheduler(frameMs = 1000 / 60) {
  let now = 0;
  let frames: Array<(time: number) => void> = [];
  let timers: Array<{ id: number; at: number; callback: () => void }> = [];
  let nextId = 1;
  const scheduler: FrameScheduler = {
    requestFrame: (callback) => void frames.push(callback),
    setTimer: (callback, ms) => {
      const id = nextId++;
      timers.push({ id, at: now + ms, callback });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
  };
  /** Advances one frame: due timers fire first, then the frame callbacks. */
  const frame = () => {
    now += frameMs;
    const due = timers.filter((timer) => timer.at <= now);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.callback();
    const run = frames;
    frames = [];
    for (const callback of run) callback(now);
  };
  return { scheduler, frame, pending: () => frames.length + timers.length };
}

describe('createFrameThrottle', () => {
  it('sends nothing before a frame and once per frame however many events came', () => {
    const clock = fakeScheduler();
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler);
    for (let i = 0; i < 10; i++) throttle.schedule();
    expect(sent).toBe(0);
    clock.frame();
    expect(sent).toBe(1);
  });

  it('never exceeds 30 sends a second at 60 frames a second, yet sends on every second frame', () => {
    const clock = fakeScheduler(1000 / 60);
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler);
    for (let i = 0; i < 60; i++) {
      throttle.schedule();
      clock.frame();
    }
    expect(sent).toBe(30);
  });

  it('caps a 144 Hz display at 30 a second too', () => {
    const clock = fakeScheduler(1000 / 144);
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler);
    for (let i = 0; i < 144; i++) {
      throttle.schedule();
      clock.frame();
    }
    expect(sent).toBeLessThanOrEqual(30);
    expect(sent).toBeGreaterThanOrEqual(28);
  });

  it('has a trailing edge: the last event is sent after the interval even with no more events', () => {
    const clock = fakeScheduler();
    const values: number[] = [];
    let latest = 0;
    const throttle = createFrameThrottle(() => values.push(latest), clock.scheduler);
    latest = 1;
    throttle.schedule();
    clock.frame();
    latest = 2;
    throttle.schedule();
    clock.frame(); // too soon: deferred, not dropped
    expect(values).toEqual([1]);
    for (let i = 0; i < 3; i++) clock.frame();
    expect(values).toEqual([1, 2]);
    expect(clock.pending()).toBe(0);
  });

  it('sends nothing after cancel', () => {
    const clock = fakeScheduler();
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler);
    throttle.schedule();
    clock.frame();
    throttle.schedule();
    throttle.cancel();
    for (let i = 0; i < 5; i++) clock.frame();
    expect(sent).toBe(1);
  });
});
