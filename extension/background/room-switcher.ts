/**
 * The popup's room switcher: move a tab to another public or named room of its page, make
 * a private room and move into it, or enter a private room by its invite code. A room that
 * refuses us (a wrong key) puts the tab back in its page's public room.
 */
import { t } from '../shared/i18n.js';
import { serverErrorText } from '../shared/server-errors.js';
import {
  fail,
  formatInviteCode,
  ok,
  parseInviteCode,
  PUBLIC_CHANNEL,
  RoomCreated,
  type Result,
} from '../../protocol/index.js';
import { ACK_TIMEOUT_MS, request, type Connection } from './connection.js';
import { sharesOn, type SettingsStore } from './settings.js';
import type { TabPlacement } from './tab-placement.js';
import type { TabSessions } from './tab-sessions.js';

export class RoomSwitcher {
  constructor(
    private readonly settings: SettingsStore,
    private readonly sessions: TabSessions,
    private readonly placement: TabPlacement,
    private readonly connection: Connection,
    private readonly changed: () => void,
  ) {}

  /** Moves a tab to another room of its page; a refused room (wrong key) puts it back in the public one. */
  async switchRoom(
    tabId: number,
    channel: string,
    inviteKey: string | null = null,
    invite: string | null = null,
  ): Promise<Result<null>> {
    const tab = this.sessions.tabs.get(tabId);
    if (!tab?.page || !tab.port) return fail('invalid', t('errorReloadFirst'));
    const settings = await this.settings.load();
    if (settings.paused) return fail('forbidden', t('errorPaused'));
    if (!sharesOn(settings, tab.origin)) {
      return fail('forbidden', t('errorSharingOffFirst'));
    }
    this.sessions.choose(tabId, channel, inviteKey, invite);
    const result = await this.placement.place(tabId);
    if (result && !result.ok && this.sessions.choiceOf(tab).channel !== PUBLIC_CHANNEL) {
      this.sessions.choose(tabId, PUBLIC_CHANNEL);
      void this.placement.place(tabId);
      return result.error.code === 'forbidden'
        ? fail('forbidden', t('errorInviteOtherPage'))
        : fail(result.error.code, serverErrorText(result.error));
    }
    this.changed();
    return ok(null);
  }

  /** Asks the server for a private room on the tab's page and moves the tab into it. */
  async createPrivateRoom(tabId: number): Promise<Result<null>> {
    const page = this.sessions.tabs.get(tabId)?.page;
    const rooms = this.connection.rooms;
    if (!page) return fail('invalid', t('errorReloadFirst'));
    if (!rooms) return fail('unavailable', t('errorNotConnected'));
    const created = await request(
      () => rooms.timeout(ACK_TIMEOUT_MS).emitWithAck('room:create', { page }),
      RoomCreated,
    );
    if (!created.ok) return fail(created.error.code, serverErrorText(created.error));
    const { channel, key, invite } = created.value;
    return this.switchRoom(tabId, channel, key, invite);
  }

  /** Moves the tab into the private room an invite code names. */
  async joinInvite(tabId: number, code: string): Promise<Result<null>> {
    const parsed = parseInviteCode(code);
    if (!parsed) return fail('invalid', t('errorNotInvite'));
    return this.switchRoom(tabId, parsed.channel, parsed.key, formatInviteCode(parsed.channel, parsed.key));
  }
}
