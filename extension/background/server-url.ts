/**
 * The server the worker talks to. A new URL drops the old connection and everything held
 * of its rooms (memberships, notes, revisions mean nothing on another server), tells the
 * tabs a new session follows, and connects to the new one.
 */
import type { ConnectionLifetime } from './connection-lifetime.js';
import type { NotesSync } from './notes-sync.js';
import type { RoomMembership } from './room-membership.js';
import type { SettingsStore } from './settings.js';
import type { TabSessions } from './tab-sessions.js';

export class ServerUrl {
  constructor(
    private readonly settings: SettingsStore,
    private readonly sessions: TabSessions,
    private readonly lifetime: ConnectionLifetime,
    private readonly membership: RoomMembership,
    private readonly notes: NotesSync,
    private readonly changed: () => void,
  ) {}

  async set(serverUrl: string): Promise<void> {
    const before = (await this.settings.load()).serverUrl;
    await this.settings.update({ serverUrl });
    if (serverUrl === before) return;
    this.lifetime.close();
    this.membership.resetAll();
    this.notes.forgetAll();
    for (const entry of this.sessions.rooms.values()) {
      this.sessions.broadcast(entry, { type: 'session', active: false, reason: 'reconnecting' });
    }
    // The rooms join again once the new connection is up.
    await this.lifetime.open();
    this.changed();
  }
}
