/**
 * Keeps the service worker running while its connection is on long-polling (issue 15).
 *
 * Chrome stops an extension's service worker after 30 s without extension events or API
 * calls, and since Chrome 116 a WebSocket message counts as activity: the server's ping
 * every 25 s keeps a worker on WebSocket alive. A `fetch()` does not count, so a worker on
 * polling would be stopped while its user reads a page without moving the mouse, and the
 * others would see them leave and come back. While on polling this reads one key of
 * `storage.session` (an extension API call, which resets Chrome's timer) every
 * {@link POLLING_KEEP_ALIVE_MS}. Nothing is read on WebSocket or while no room needs the
 * connection, so an idle worker still goes away.
 */
import type { StorageAreaLike } from '../chrome-api.js';
import type { TransportName } from './transport-upgrade.js';

/** Well inside Chrome's 30 s idle window. */
export const POLLING_KEEP_ALIVE_MS = 20_000;

export class PollingKeepAlive {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly storage: StorageAreaLike,
    private readonly transport: () => TransportName | null,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.transport() === 'polling') void this.storage.get('keepAlive').catch(() => undefined);
    }, POLLING_KEEP_ALIVE_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
