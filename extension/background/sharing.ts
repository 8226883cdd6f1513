/**
 * The user's two sharing switches: sharing on or off for a site (every open tab of it joins
 * or leaves at once), and pause all (every tab leaves and the connection closes, until
 * resumed). For a site that is not enabled nothing at all goes to the server: no join, no URL.
 */
import type { PortLike } from '../chrome-api.js';
import type { SessionMessage } from '../shared/messages.js';
import type { ConnectionLifetime } from './connection-lifetime.js';
import type { SettingsStore } from './settings.js';
import type { TabPlacement } from './tab-placement.js';
import { post, type TabSessions } from './tab-sessions.js';

export class Sharing {
  constructor(
    private readonly settings: SettingsStore,
    private readonly sessions: TabSessions,
    private readonly placement: TabPlacement,
    private readonly lifetime: ConnectionLifetime,
    private readonly changed: () => void,
  ) {}

  /**
   * A tab said which page it shows (`hello`): into its room when sharing is on for the site,
   * else out of any, told why nothing is shared.
   */
  async pageShown(tabId: number, port: PortLike): Promise<void> {
    const tab = this.sessions.tabs.get(tabId);
    if (!tab) return;
    const settings = await this.settings.load();
    const enabled = tab.origin !== null && settings.enabledSites.includes(tab.origin);
    // Another content script of the tab connected meanwhile; its own hello decides.
    if (this.sessions.tabs.get(tabId)?.port !== port) return;
    if (enabled && !settings.paused) {
      void this.placement.place(tabId);
    } else {
      this.placement.remove(tabId);
      const reason = tab.origin === null ? 'unsupported' : enabled ? 'paused' : 'off';
      post(port, { type: 'session', active: false, reason } satisfies SessionMessage);
    }
    this.changed();
  }

  /** Turns sharing on or off for an origin and joins or leaves every open tab of it right away. */
  async setSharing(origin: string, enabled: boolean): Promise<void> {
    const settings = await this.settings.setEnabled(origin, enabled);
    for (const tab of [...this.sessions.tabs.values()]) {
      if (tab.origin !== origin || !tab.port) continue;
      if (enabled && !settings.paused) void this.placement.place(tab.tabId);
      else if (!enabled) this.placement.remove(tab.tabId, true);
    }
    this.changed();
  }

  /**
   * Pauses or resumes all sharing. Paused, every tab leaves its room and the connection
   * closes at once; resumed, the tabs of enabled sites join again.
   */
  async setPaused(paused: boolean): Promise<void> {
    const settings = await this.settings.update({ paused });
    for (const tab of [...this.sessions.tabs.values()]) {
      if (!tab.port) continue;
      const enabled = tab.origin !== null && settings.enabledSites.includes(tab.origin);
      if (paused) {
        this.placement.remove(tab.tabId);
        if (enabled) post(tab.port, { type: 'session', active: false, reason: 'paused' });
      } else if (enabled) {
        void this.placement.place(tab.tabId);
      }
    }
    if (paused) this.lifetime.close();
    this.changed();
  }
}
