/**
 * Idle detection for presence: after {@link IDLE_AFTER_MS} without input on the page
 * the user counts as idle (others see them dimmed); any input makes them active again.
 * Input only records a timestamp, so a pointermove costs nothing; one timer checks it.
 */

/** No input for this long and the user is idle: the others see the cursor dimmed. */
export const IDLE_AFTER_MS = 60_000;

const INPUT_EVENTS = ['pointermove', 'pointerdown', 'keydown', 'wheel', 'scroll', 'touchstart'] as const;

export class IdleTracker {
  private enabled = false;
  private idleValue = false;
  private lastInput = 0;
  private timer: number | undefined;
  private readonly onInput = (): void => {
    this.lastInput = Date.now();
    if (!this.idleValue) return;
    this.idleValue = false;
    this.onChange(false);
    this.arm(this.idleAfterMs);
  };

  constructor(
    private readonly win: Window,
    private readonly onChange: (idle: boolean) => void,
    private readonly idleAfterMs = IDLE_AFTER_MS,
  ) {}

  /** Input the window's listeners do not see (keys typed into our editors, see key-shield.iife.ts). */
  activity(): void {
    if (this.enabled) this.onInput();
  }

  get idle(): boolean {
    return this.idleValue;
  }

  /** Watches input while the session is active; a new session starts active. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    const options = { capture: true, passive: true };
    for (const type of INPUT_EVENTS) {
      if (enabled) this.win.addEventListener(type, this.onInput, options);
      else this.win.removeEventListener(type, this.onInput, options);
    }
    this.win.clearTimeout(this.timer);
    this.idleValue = false;
    if (enabled) {
      this.lastInput = Date.now();
      this.arm(this.idleAfterMs);
    }
  }

  private arm(ms: number): void {
    this.win.clearTimeout(this.timer);
    this.timer = this.win.setTimeout(() => this.check(), ms);
  }

  private check(): void {
    if (!this.enabled || this.idleValue) return;
    const quiet = Date.now() - this.lastInput;
    if (quiet < this.idleAfterMs) {
      this.arm(this.idleAfterMs - quiet);
      return;
    }
    this.idleValue = true;
    this.onChange(true);
  }
}
