/**
 * The user's sharing switches: sharing on or off for a site, or for all sites (every open tab
 * concerned joins or leaves at once), and pause all (every tab leaves and the connection
 * closes, until resumed). For a site where sharing is off nothing at all goes to the server:
 * no join, no URL. Sharing follows the grants too: where our scripts may no longer run
 * (site-access.ts), it stops.
 */
import type { PortLike } from '../chrome-api.js';
import type { SessionMessage } from '../shared/messages.js';
import { covers, coversAllSites } from '../shared/site-patterns.js';
import type { ConnectionLifetime } from './connection-lifetime.js';
import { sharesOn, type Settings, type SettingsStore } from './settings.js';
import type { SiteAccess } from './site-access.js';
import type { TabPlacement } from './tab-placement.js';
import { post, type TabSessions } from './tab-sessions.js';

export class Sharing {
  constructor(
    private readonly settings: SettingsStore,
    private readonly sessions: TabSessions,
    private readonly placement: TabPlacement,
    private readonly lifetime: ConnectionLifetime,
    private readonly changed: () => void,
    /** Where our scripts may run (site-access.ts): the grant sharing needs too. */
    private readonly access: Pick<SiteAccess, 'allows' | 'allowsAllSites' | 'ready'>,
  ) {}

  /** Sharing is on for the origin: switched on (for it or all sites) and granted. */
  shares(settings: Settings, origin: string | null): boolean {
    return sharesOn(settings, origin) && origin !== null && this.access.allows(origin);
  }

  /**
   * A tab said which page it shows (`hello`): into its room when sharing is on for the site,
   * else out of any, told why nothing is shared.
   */
  async pageShown(tabId: number, port: PortLike): Promise<void> {
    const tab = this.sessions.tabs.get(tabId);
    if (!tab) return;
    const [settings] = await Promise.all([this.settings.load(), this.access.ready()]);
    const enabled = this.shares(settings, tab.origin);
    // Another content script of the tab connected meanwhile; its own hello decides.
    if (this.sessions.tabs.get(tabId)?.port !== port) return;
    if (enabled && !settings.paused) {
      void this.placement.place(tabId);
    } else {
      this.placement.remove(tabId);
      // A script left on a site no longer granted (a worker asleep when it was removed) goes too.
      const reason =
        tab.origin === null
          ? 'unsupported'
          : !this.access.allows(tab.origin)
            ? 'revoked'
            : enabled
              ? 'paused'
              : 'off';
      post(port, { type: 'session', active: false, reason } satisfies SessionMessage);
    }
    this.changed();
  }

  /**
   * Turns sharing on or off for an origin and joins or leaves every open tab of it right away.
   * Switched on before the grant arrives (the browser is still asking the user), it waits for it.
   */
  async setSharing(origin: string, enabled: boolean): Promise<void> {
    await this.access.ready();
    this.follow(await this.settings.setEnabled(origin, enabled), (tabOrigin) => tabOrigin === origin);
  }

  /** Turns sharing on or off for every http(s) site ("all sites"); the sites switched on one by one stay. */
  async setAllSites(allSites: boolean): Promise<void> {
    await this.access.ready();
    const settings = await this.settings.update({ allSites });
    this.follow(settings, (origin) => !settings.enabledSites.includes(origin));
  }

  /**
   * The grants changed. Where one was removed (in the browser's settings, or "all sites" given
   * back) the switch goes off with it; every tab where our scripts may no longer run leaves its
   * room and is told `revoked`, which takes the overlay off the page.
   */
  async keepInStep(removed: readonly string[]): Promise<void> {
    const settings = await this.settings.load();
    // A site switched on whose grant is still to come (the browser is asking) keeps its switch.
    const kept = (origin: string) => this.access.allows(origin) || !covers(removed, origin);
    const enabledSites = settings.enabledSites.filter(kept);
    const allSites = settings.allSites && (this.access.allowsAllSites() || !coversAllSites(removed));
    if (enabledSites.length !== settings.enabledSites.length || allSites !== settings.allSites) {
      await this.settings.update({ enabledSites, allSites });
    }
    for (const tab of [...this.sessions.tabs.values()]) {
      if (!tab.port || tab.origin === null || this.access.allows(tab.origin)) continue;
      this.placement.remove(tab.tabId);
      post(tab.port, { type: 'session', active: false, reason: 'revoked' });
    }
    this.changed();
  }

  /**
   * Pauses or resumes all sharing. Paused, every tab leaves its room and the connection
   * closes at once; resumed, the tabs of enabled sites join again.
   */
  async setPaused(paused: boolean): Promise<void> {
    await this.access.ready();
    const settings = await this.settings.update({ paused });
    for (const tab of [...this.sessions.tabs.values()]) {
      if (!tab.port) continue;
      const enabled = this.shares(settings, tab.origin);
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

  /** Joins or leaves the open tabs of the origins `concerned` after a switch changed. */
  private follow(settings: Settings, concerned: (origin: string) => boolean): void {
    for (const tab of [...this.sessions.tabs.values()]) {
      if (tab.origin === null || !tab.port || !concerned(tab.origin)) continue;
      const enabled = this.shares(settings, tab.origin);
      if (enabled && !settings.paused) void this.placement.place(tab.tabId);
      else if (!enabled) this.placement.remove(tab.tabId, true);
    }
    this.changed();
  }
}
