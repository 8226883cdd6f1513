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
    now: () => now,
  };
  /** Advances one frame (or `ms`): due timers fire first, then the frame callbacks. */
  const frame = (ms = frameMs) => {
    now += ms;
    const due = timers.filter((timer) => timer.at <= now);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.callback();
    const run = frames;
    frames = [];
    for (const callback of run) callback(now);
  };
  /** Lets time pass between frames (an event arriving mid-frame), firing due timers. */
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((timer) => timer.at <= now);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.callback();
  };
  return { scheduler, frame, advance, pending: () => frames.length + timers.length };
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

describe('createFrameThrottle with a leading edge', () => {
  const leading = { leading: true };

  it('sends the first event after a quiet period at once, without waiting for a frame', () => {
    const clock = fakeScheduler();
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler, 30, leading);
    throttle.schedule();
    expect(sent).toBe(1);
    expect(clock.pending()).toBe(0);
    // Quiet for longer than the interval: the next one goes out at once too.
    for (let i = 0; i < 3; i++) clock.frame();
    clock.advance(5);
    throttle.schedule();
    expect(sent).toBe(2);
  });

  it('defers events within the interval and keeps the trailing edge', () => {
    const clock = fakeScheduler();
    const values: number[] = [];
    let latest = 0;
    const throttle = createFrameThrottle(() => values.push(latest), clock.scheduler, 30, leading);
    latest = 1;
    throttle.schedule(); // leading
    clock.advance(4);
    latest = 2;
    throttle.schedule(); // 4 ms later: too soon, waits
    latest = 3;
    throttle.schedule();
    expect(values).toEqual([1]);
    clock.frame();
    expect(values).toEqual([1]);
    for (let i = 0; i < 3; i++) clock.frame();
    expect(values).toEqual([1, 3]);
    expect(clock.pending()).toBe(0);
  });

  it('never exceeds 30 sends a second with events at 60 Hz or 250 Hz', () => {
    for (const eventsPerFrame of [1, 4]) {
      const clock = fakeScheduler(1000 / 60);
      const times: number[] = [];
      const throttle = createFrameThrottle(
        () => times.push(clock.scheduler.now?.() ?? NaN),
        clock.scheduler,
        30,
        leading,
      );
      // One second: events spread over each 60 Hz frame, between the frames.
      const step = 1000 / 60 / (eventsPerFrame + 1);
      for (let i = 0; i < 60; i++) {
        for (let e = 0; e < eventsPerFrame; e++) {
          clock.advance(step);
          throttle.schedule();
        }
        clock.frame(step);
      }
      expect(times.length).toBeLessThanOrEqual(31);
      expect(times.length).toBeGreaterThanOrEqual(28);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      // The frame path allows 1 ms of frame jitter; never two sends in one 30 Hz interval.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / 30 - 1);
    }
  });

  it('sends every event at once when they come slower than 30 Hz', () => {
    const clock = fakeScheduler();
    let sent = 0;
    const throttle = createFrameThrottle(() => sent++, clock.scheduler, 30, leading);
    for (let i = 1; i <= 10; i++) {
      throttle.schedule();
      expect(sent).toBe(i);
      clock.advance(50); // 20 Hz
    }
  });

  it('needs a clock for the leading edge', () => {
    const noClock: FrameScheduler = { ...fakeScheduler().scheduler, now: undefined };
    expect(() => createFrameThrottle(() => undefined, noClock, 30, leading)).toThrow(/scheduler.now/);
  });
});
