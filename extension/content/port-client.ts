/**
 * The content script's end of the `collab` port. Connects on load and says `hello`
 * with the page URL; when the port drops because the service worker restarted, it
 * connects again (with backoff) and says hello again, which makes the worker rebuild
 * this tab's room. It also says hello when a single-page app changes the URL.
 */
import type { ChromeApi, PortLike } from '../chrome-api.js';
import { PORT_NAME, WorkerToContent, type ContentToWorker } from '../shared/messages.js';
import { trusted } from './trusted-events.js';

/** The first reconnect is almost immediate: a restarted worker should cost the user nothing. */
const RETRY_FIRST_MS = 10;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
const URL_CHECK_MS = 1_000;

export interface PortClientHandlers {
  message(message: WorkerToContent): void;
  /** The port dropped; a new one follows unless the extension is gone. */
  lost(): void;
  /** The extension was reloaded or removed: this script is an orphan and must clean up. */
  dead(): void;
}

export class PortClient {
  private port: PortLike | null = null;
  private retryMs = RETRY_FIRST_MS;
  /** True between pagehide and pageshow: the page sits in the back/forward cache. */
  private suspended = false;
  private url: string;
  private urlTimer: number | undefined;

  constructor(
    private readonly api: ChromeApi,
    private readonly win: Window,
    private readonly handlers: PortClientHandlers,
  ) {
    this.url = win.location.href;
  }

  start(): void {
    this.connect();
    // A page entering the back/forward cache leaves its room and lets go of the port;
    // restored, it connects again and says hello, which joins the room again, so the
    // others see a person where there is one and nobody where the page is frozen.
    // Trusted only: a page script's own `pagehide` must not take the user out of the room.
    this.win.addEventListener(
      'pagehide',
      trusted(() => this.suspend()),
    );
    this.win.addEventListener(
      'pageshow',
      trusted((event: PageTransitionEvent) => {
        if (event.persisted || this.suspended) this.resume();
      }),
    );
    this.urlTimer = this.win.setInterval(() => {
      if (this.win.location.href === this.url) return;
      this.url = this.win.location.href;
      this.send({ type: 'hello', url: this.url });
    }, URL_CHECK_MS);
  }

  /** pagehide: tell the worker to leave the room now, then close the port. */
  suspend(): void {
    if (this.suspended) return;
    this.send({ type: 'leave' });
    this.suspended = true;
    const port = this.port;
    this.port = null;
    try {
      port?.disconnect();
    } catch {
      // Already closed.
    }
    this.handlers.lost();
  }

  /** pageshow after the back/forward cache: a new port and hello. */
  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    this.retryMs = RETRY_FIRST_MS;
    if (!this.port) this.connect();
  }

  send(message: ContentToWorker): void {
    try {
      this.port?.postMessage(message);
    } catch {
      // The port closed under us; onDisconnect reconnects.
    }
  }

  private connect(): void {
    if (!this.api.isContextValid()) {
      this.die();
      return;
    }
    let port: PortLike;
    try {
      port = this.api.connect(PORT_NAME);
    } catch {
      this.die();
      return;
    }
    this.port = port;
    port.onMessage.addListener((raw) => {
      this.retryMs = RETRY_FIRST_MS;
      const parsed = WorkerToContent.safeParse(raw);
      if (parsed.success) this.handlers.message(parsed.data);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      this.handlers.lost();
      if (!this.api.isContextValid()) {
        this.die();
        return;
      }
      this.win.setTimeout(() => {
        if (!this.suspended && !this.port) this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(Math.max(this.retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
    });
    this.send({ type: 'hello', url: this.url });
  }

  /** The extension may no longer run on this site: let go of the port for good. */
  close(): void {
    const port = this.port;
    this.suspended = true;
    this.die();
    try {
      port?.disconnect();
    } catch {
      // Already closed.
    }
  }

  private die(): void {
    this.win.clearInterval(this.urlTimer);
    this.port = null;
    this.handlers.dead();
  }
}
