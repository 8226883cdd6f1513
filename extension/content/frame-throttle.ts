/**
 * Coalesces bursts of calls (pointermove) into at most one flush per animation frame
 * and at most `maxPerSecond` flushes a second, with a trailing edge: after the last
 * call a flush always follows, so the final position is never lost. With `leading`, a
 * call after a quiet period (a whole interval since the last flush, nothing waiting)
 * flushes at once instead of on the next frame: the first move of a gesture goes out
 * up to a frame earlier (the largest part of the sender's delay), and the rate cap
 * still holds. The scheduler is
 * injected so tests drive frames and timers by hand.
 */

export interface FrameScheduler {
  /** `requestAnimationFrame`: the callback gets the frame's timestamp in ms. */
  requestFrame(callback: (time: number) => void): void;
  setTimer(callback: () => void, ms: number): number;
  clearTimer(handle: number): void;
  /** `performance.now()`: the clock of the frame timestamps. Needed for a leading edge. */
  now?(): number;
}

export interface FrameThrottleOptions {
  /** Flushes at once when a call comes after a quiet interval (needs `scheduler.now`). */
  leading?: boolean;
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
    now: () => win.performance.now(),
  };
}

export function createFrameThrottle(
  flush: () => void,
  scheduler: FrameScheduler,
  maxPerSecond = 30,
  options: FrameThrottleOptions = {},
): FrameThrottle {
  const interval = 1000 / maxPerSecond;
  const now = scheduler.now?.bind(scheduler);
  if (options.leading && !now) throw new Error('a leading edge needs scheduler.now');
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
      if (options.leading && now && !framePending && timer === null) {
        const time = now();
        // A full interval, without the frame jitter allowance: this path is not frame-aligned.
        if (time - lastFlush >= interval) {
          dirty = false;
          lastFlush = time;
          flush();
          return;
        }
      }
      requestFrame();
    },
    cancel() {
      dirty = false;
      if (timer !== null) scheduler.clearTimer(timer);
      timer = null;
    },
  };
}
