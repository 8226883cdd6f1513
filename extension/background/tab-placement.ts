/**
 * Putting a tab in the room it wants (tab-sessions.ts) and taking it out: the open room is
 * shared with the page's other tabs, joined once, and left when its last tab goes. A tab that
 * arrives in a room we hold already gets its session, notes and pending notes at once.
 */
import type { Result } from '../../protocol/index.js';
import type { ChromeApi } from '../chrome-api.js';
import { updateBadges } from './badge.js';
import type { ConnectionLifetime } from './connection-lifetime.js';
import type { NoteWrites } from './note-writes.js';
import type { NotesSync } from './notes-sync.js';
import { joined, type OpenRoom } from './open-rooms.js';
import type { RoomMembership } from './room-membership.js';
import { post, type TabSessions } from './tab-sessions.js';

export class TabPlacement {
  constructor(
    private readonly api: ChromeApi,
    private readonly sessions: TabSessions,
    private readonly membership: RoomMembership,
    private readonly notes: NotesSync,
    private readonly writes: NoteWrites,
    private readonly lifetime: ConnectionLifetime,
  ) {}

  /**
   * Puts a tab (with a known, enabled page) in its chosen room, leaving the one it was in
   * (a tab is in one room at most), and brings it up to date. Resolves with the join's
   * result, or null when it will happen once the connection is up.
   */
  place(tabId: number): Promise<Result<null> | null> {
    const previous = this.sessions.roomOf(tabId);
    const entry = this.sessions.attach(tabId);
    if (previous && previous !== entry) this.vacated(previous);
    if (!entry) return Promise.resolve(null);
    const port = this.sessions.tabs.get(tabId)?.port;
    if (joined(entry)) {
      this.membership.sendSession(entry, port);
      this.notes.showTo(entry, port);
      this.writes.showPending(entry, port);
      updateBadges(this.api, [tabId], entry);
    } else if (this.membership.serverState(entry) === 'offline') {
      // Nothing else reaches the tab until the server is back: it says it is offline.
      this.membership.sendServerState(entry, port);
    }
    this.membership.syncIdle(entry);
    return this.lifetime.open().then(() => this.membership.join(entry));
  }

  /** Takes a tab out of its room (sharing off, another page, pagehide, the tab closed); `notify` tells the tab. */
  remove(tabId: number, notify = false): void {
    const tab = this.sessions.tabs.get(tabId);
    const entry = this.sessions.roomOf(tabId);
    if (!tab || !entry) return;
    this.sessions.detach(tabId);
    updateBadges(this.api, [tabId], null);
    if (notify) post(tab.port, { type: 'session', active: false, reason: 'off' });
    this.vacated(entry);
    this.lifetime.closeSoonIfUnused();
  }

  /** A tab left `entry`: the room closes with its last tab, else its idle state may change. */
  private vacated(entry: OpenRoom): void {
    if (this.sessions.isOpen(entry)) {
      this.membership.syncIdle(entry);
      return;
    }
    this.membership.leave(entry);
    this.notes.close(entry);
  }
}
