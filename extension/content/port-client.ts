/**
 * The content script's end of the `collab` port. Connects on load and says `hello`
 * with the page URL; when the port drops because the service worker restarted, it
 * connects again (with backoff) and says hello again, which makes the worker rebuild
 * this tab's room. It also says hello when a single-page app changes the URL.
 */
import type { ChromeApi, PortLike } from '../chrome-api.js';
import { PORT_NAME, WorkerToContent, type ContentToWorker } from '../shared/messages.js';

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
  private retryMs = RETRY_MIN_MS;
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
    this.urlTimer = this.win.setInterval(() => {
      if (this.win.location.href === this.url) return;
      this.url = this.win.location.href;
      this.send({ type: 'hello', url: this.url });
    }, URL_CHECK_MS);
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
      this.retryMs = RETRY_MIN_MS;
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
      this.win.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    });
    this.send({ type: 'hello', url: this.url });
  }

  private die(): void {
    this.win.clearInterval(this.urlTimer);
    this.port = null;
    this.handlers.dead();
  }
}
