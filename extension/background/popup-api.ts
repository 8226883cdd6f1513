/**
 * Answers the popup: its state for one tab, and the changes it asks for (sharing on
 * this site, name and colour, server URL). Every answer is a `Result<PopupState>`.
 */
import { fail, invalid, isPrivateChannel, ok } from '../../protocol/index.js';
import type { ChromeApi } from '../chrome-api.js';
import { PopupToWorker, type PopupReply, type PopupState, type PopupStatus } from '../shared/messages.js';
import type { Relay } from './relay.js';
import { PALETTE, type SettingsStore } from './settings.js';
import { describePage } from './tab-rooms.js';

export class PopupApi {
  constructor(
    private readonly api: ChromeApi,
    private readonly settings: SettingsStore,
    private readonly relay: Relay,
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
    return this.run(parsed.data).catch(() => fail('internal', 'the extension could not do that'));
  }

  private async run(message: PopupToWorker): Promise<PopupReply> {
    switch (message.type) {
      case 'popup:get-state':
        break;
      case 'popup:set-sharing': {
        const { origin } = describePage((await this.api.getTab(message.tabId))?.url);
        if (!origin) return fail('invalid', 'sharing only works on http(s) pages');
        await this.relay.setSharing(origin, message.enabled);
        break;
      }
      case 'popup:set-profile': {
        const patch: { name?: string; color?: string } = {};
        if (message.name !== undefined) patch.name = message.name;
        if (message.color !== undefined) patch.color = message.color;
        await this.relay.setProfile(patch);
        break;
      }
      case 'popup:set-server':
        await this.relay.setServerUrl(message.serverUrl);
        break;
      case 'popup:set-paused':
        await this.relay.setPaused(message.paused);
        break;
      case 'popup:switch-room': {
        const result = await this.relay.switchRoom(message.tabId, message.channel);
        if (!result.ok) return result;
        break;
      }
      case 'popup:create-private': {
        const result = await this.relay.createPrivateRoom(message.tabId);
        if (!result.ok) return result;
        break;
      }
      case 'popup:join-invite': {
        const result = await this.relay.joinInvite(message.tabId, message.code);
        if (!result.ok) return result;
        break;
      }
    }
    return ok(await this.stateFor(message.tabId));
  }

  /** What the popup shows for a tab. */
  async stateFor(tabId: number): Promise<PopupState> {
    const settings = await this.settings.load();
    const { origin } = describePage((await this.api.getTab(tabId))?.url);
    const sharing = origin !== null && settings.enabledSites.includes(origin);
    const tab = this.relay.state.tabs.get(tabId);
    const entry = this.relay.state.roomOf(tabId);
    const connection = this.relay.connection;
    let status: PopupStatus;
    if (origin === null) status = 'unsupported';
    else if (settings.paused) status = 'paused';
    else if (!sharing) status = 'off';
    else if (!tab?.port) status = 'reload';
    else if (entry?.joined) status = 'connected';
    else if (connection.status === 'offline') status = 'offline';
    else status = 'connecting';
    const joined = entry?.joined && entry.room ? entry : null;
    return {
      tabId,
      origin,
      sharing,
      status,
      error: sharing ? (entry?.error ?? connection.error) : null,
      room: joined?.room
        ? {
            id: joined.room,
            channel: joined.channel,
            page: joined.page,
            private: isPrivateChannel(joined.channel),
            invite: joined.invite,
          }
        : null,
      rooms: joined ? await this.relay.listRooms(tabId) : [],
      paused: settings.paused,
      connection: connection.status,
      self: joined?.self ?? null,
      peers: joined ? [...joined.peers.values()] : [],
      name: settings.name,
      color: settings.color,
      serverUrl: settings.serverUrl,
      palette: [...PALETTE],
    };
  }
}
