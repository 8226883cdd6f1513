/**
 * Answers the popup: its state for one tab, and the changes it asks for (sharing on
 * this site, pause, rooms, name and colour, server URL). Every answer is a `Result<PopupState>`.
 */
import { t } from '../shared/i18n.js';
import { fail, invalid, isPrivateChannel, ok, RoomSummary } from '../../protocol/index.js';
import type { ChromeApi } from '../chrome-api.js';
import { PopupToWorker, type PopupReply, type PopupState, type PopupStatus } from '../shared/messages.js';
import { request } from './connection.js';
import { joined } from './open-rooms.js';
import { ALL_SITES, patternCovers, sitePattern } from '../shared/site-patterns.js';
import { PALETTE, sharesOn, type SettingsStore } from './settings.js';
import { describePage } from './tab-sessions.js';
import type { BackgroundWorker } from './worker.js';

/** `room:list` for the popup is a nicety: it must not hold the popup up for long. */
const LIST_TIMEOUT_MS = 2_000;

export class PopupApi {
  constructor(
    private readonly api: ChromeApi,
    private readonly settings: SettingsStore,
    private readonly worker: BackgroundWorker,
  ) {}

  /** Handles one `runtime.sendMessage` from the popup; undefined for messages that are not ours. */
  handle(raw: unknown): Promise<PopupReply> | undefined {
    if (
      typeof raw !== 'object' ||
      raw === null ||
      !String((raw as { type?: unknown }).type).startsWith('popup:')
    ) {
      return undefined;
    }
    const parsed = PopupToWorker.safeParse(raw);
    if (!parsed.success) return Promise.resolve(invalid(parsed.error));
    return this.run(parsed.data).catch(() => fail('internal', t('errorExtensionFailed')));
  }

  private async run(message: PopupToWorker): Promise<PopupReply> {
    const { sharing, switcher } = this.worker;
    switch (message.type) {
      case 'popup:get-state':
        break;
      case 'popup:set-sharing': {
        const { origin } = describePage((await this.api.getTab(message.tabId))?.url);
        if (!origin) return fail('invalid', t('errorHttpOnly'));
        await this.setSharing(origin, message.enabled);
        break;
      }
      case 'popup:set-all-sites':
        await this.setAllSites(message.enabled);
        break;
      case 'popup:set-profile': {
        const patch: { name?: string; color?: string } = {};
        if (message.name !== undefined) patch.name = message.name;
        if (message.color !== undefined) patch.color = message.color;
        await this.worker.profile.set(patch);
        break;
      }
      case 'popup:set-server':
        await this.worker.serverUrl.set(message.serverUrl);
        break;
      case 'popup:set-paused':
        await sharing.setPaused(message.paused);
        break;
      case 'popup:switch-room': {
        const result = await switcher.switchRoom(message.tabId, message.channel);
        if (!result.ok) return result;
        break;
      }
      case 'popup:create-private': {
        const result = await switcher.createPrivateRoom(message.tabId);
        if (!result.ok) return result;
        break;
      }
      case 'popup:join-invite': {
        const result = await switcher.joinInvite(message.tabId, message.code);
        if (!result.ok) return result;
        break;
      }
    }
    return ok(await this.stateFor(message.tabId));
  }

  /**
   * Sharing on for a site: the switch is set at once while the popup asks the user for the
   * site (permissions.request needs the click, and Chrome may close the popup for its dialog,
   * so nobody waits for the answer here); the tabs share from when the grant arrives
   * (onAdded). Off: the site's grant is given back too, unless another origin of the same host
   * still shares, so no script of ours stays where the user said no.
   */
  private async setSharing(origin: string, enabled: boolean): Promise<void> {
    await this.worker.sharing.setSharing(origin, enabled);
    if (enabled) return;
    const pattern = sitePattern(origin);
    const { enabledSites } = await this.settings.load();
    const inUse = enabledSites.some((site) => patternCovers(pattern, site));
    if (!inUse && this.worker.access.patterns.includes(pattern)) await this.worker.releaseGrants([pattern]);
  }

  /** "All sites" on (the popup asks for the http/https wildcards) or off (given back). */
  private async setAllSites(enabled: boolean): Promise<void> {
    await this.worker.sharing.setAllSites(enabled);
    if (!enabled) await this.worker.releaseGrants([...ALL_SITES]);
  }

  /** What the popup shows for a tab. */
  async stateFor(tabId: number): Promise<PopupState> {
    const { sessions, connection } = this.worker;
    const [settings] = await Promise.all([this.settings.load(), this.worker.access.ready()]);
    const { origin } = describePage((await this.api.getTab(tabId))?.url);
    // The switch as the user set it; whether the browser granted the site is the status.
    const sharing = sharesOn(settings, origin);
    const tab = sessions.tabs.get(tabId);
    const entry = sessions.roomOf(tabId);
    const membership = joined(entry);
    let status: PopupStatus;
    if (origin === null) status = 'unsupported';
    else if (settings.paused) status = 'paused';
    else if (!sharing) status = 'off';
    else if (!this.worker.sharing.shares(settings, origin)) status = 'access';
    else if (!tab?.port) status = 'reload';
    else if (membership) status = 'connected';
    else if (connection.status === 'offline') status = 'offline';
    else status = 'connecting';
    const room = membership && entry?.room ? entry.room : null;
    return {
      tabId,
      origin,
      sharing,
      status,
      // While the server cannot be reached, that is the one thing to say (connectionProblem).
      error: sharing && connection.status !== 'offline' ? (entry?.error ?? null) : null,
      room:
        entry && room
          ? {
              id: room,
              channel: entry.channel,
              page: entry.page,
              private: isPrivateChannel(entry.channel),
              invite: entry.invite,
            }
          : null,
      rooms: entry && room ? await this.listRooms(entry.page) : [],
      paused: settings.paused,
      allSites: settings.allSites,
      connection: connection.status,
      transport: connection.transport,
      connectionProblem: connection.problem,
      self: membership?.self ?? null,
      peers: membership ? [...membership.peers.values()] : [],
      name: settings.name,
      color: settings.color,
      serverUrl: settings.serverUrl,
      palette: [...PALETTE],
    };
  }

  /** The public and named rooms open on a page we are in, with head counts; never a page we did not join. */
  private async listRooms(page: string): Promise<RoomSummary[]> {
    const rooms = this.worker.connection.rooms;
    if (!rooms) return [];
    const result = await request(
      () => rooms.timeout(LIST_TIMEOUT_MS).emitWithAck('room:list', { page }),
      RoomSummary.array(),
    );
    return result.ok ? result.value : [];
  }
}
