/**
 * When the worker's one connection is open: while some tab is in a room or some note
 * waits in the outbox, and never while sharing is paused. It closes a few seconds after
 * the last need went, so a navigation from one shared page to the next does not flap it.
 */
import type { Connection } from './connection.js';
import type { SettingsStore } from './settings.js';

/** How long the connection stays open after the last tab left, so a navigation does not flap it. */
const CLOSE_DELAY_MS = 3_000;

export interface LifetimeHooks {
  /** Whether anything needs the connection now (an open room, an unsent note). */
  needed(): boolean;
  /** The connection was opened (keep-alives start). */
  opened(): void;
  /** The connection was closed (keep-alives stop). */
  closed(): void;
}

export class ConnectionLifetime {
  private closeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly connection: Connection,
    private readonly settings: SettingsStore,
    private readonly hooks: LifetimeHooks,
  ) {}

  /** Opens the connection to the configured server if something needs it and sharing is not paused. */
  async open(): Promise<void> {
    const settings = await this.settings.load();
    const auth = await this.settings.auth();
    if (!this.hooks.needed() || settings.paused) return;
    this.cancelClose();
    this.connection.open(settings.serverUrl, auth);
    this.hooks.opened();
  }

  /** Closes it now (paused, or another server). */
  close(): void {
    this.cancelClose();
    this.hooks.closed();
    this.connection.close();
  }

  /** Closes it after a short delay unless something needs it again by then. */
  closeSoonIfUnused(): void {
    if (this.hooks.needed()) return;
    this.cancelClose();
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (!this.hooks.needed()) this.close();
    }, CLOSE_DELAY_MS);
  }

  cancelClose(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }
}
