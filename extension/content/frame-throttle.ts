/**
 * Coalesces bursts of calls (pointermove) into at most one flush per animation frame
 * and at most `maxPerSecond` flushes a second, with a trailing edge: after the last
 * call a flush always follows, so the final position is never lost. The scheduler is
 * injected so tests drive frames and timers by hand.
 */

export interface FrameScheduler {
  /** `requestAnimationFrame`: the callback gets the frame's timestamp in ms. */
  requestFrame(callback: (time: number) => void): void;
  setTimer(callback: () => void, ms: number): number;
  clearTimer(handle: number): void;
}

export interface FrameThrottle {
  /** Marks new data; a flush follows on a later frame. Cheap: call it from every event. */
  schedule(): void;
  /** Drops pending data (e.g. the pointer left the page). */
  cancel(): void;
}

/** Frame timestamps jitter by a fraction of a millisecond; two 60 Hz frames must count as 1/30 s. */
const FRAME_JITTER_MS = 1;

export function browserScheduler(win: Window): FrameScheduler {
  return {
    requestFrame: (callback) => void win.requestAnimationFrame(callback),
    setTimer: (callback, ms) => win.setTimeout(callback, ms),
    clearTimer: (handle) => win.clearTimeout(handle),
  };
}

export function createFrameThrottle(
  flush: () => void,
  scheduler: FrameScheduler,
  maxPerSecond = 30,
): FrameThrottle {
  const interval = 1000 / maxPerSecond;
  let dirty = false;
  let framePending = false;
  let timer: number | null = null;
  let lastFlush = -Infinity;

  const onFrame = (time: number): void => {
    framePending = false;
    if (!dirty) return;
    const wait = lastFlush + interval - FRAME_JITTER_MS - time;
    if (wait > 0) {
      // Too soon after the last flush: come back on the first frame after the interval.
      timer = scheduler.setTimer(() => {
        timer = null;
        requestFrame();
      }, wait);
      return;
    }
    dirty = false;
    lastFlush = time;
    flush();
  };

  const requestFrame = (): void => {
    if (framePending || timer !== null) return;
    framePending = true;
    scheduler.requestFrame(onFrame);
  };

  return {
    schedule() {
      dirty = true;
      requestFrame();
    },
    cancel() {
      dirty = false;
      if (timer !== null) scheduler.clearTimer(timer);
      timer = null;
    },
  };
}
