/**
 * The content scripts' ports: every message a tab sends, parsed and handed to the module it
 * concerns, and what happens when a port closes or a tab closes. A port closing (reload,
 * navigation, back/forward cache, a restarted worker) takes the tab out of its room but keeps
 * its choice of room; only closing the tab forgets it.
 */
import type { PortLike } from '../chrome-api.js';
import { ContentToWorker, PORT_NAME } from '../shared/messages.js';
import type { Connection } from './connection.js';
import type { NoteWrites } from './note-writes.js';
import type { NotesTransfer } from './notes-transfer.js';
import { joinedRoomId } from './open-rooms.js';
import type { RoomMembership } from './room-membership.js';
import type { Sharing } from './sharing.js';
import type { TabPlacement } from './tab-placement.js';
import { post, type TabSessions } from './tab-sessions.js';

export interface TabMessageTargets {
  sessions: TabSessions;
  placement: TabPlacement;
  sharing: Sharing;
  membership: RoomMembership;
  connection: Connection;
  writes: NoteWrites;
  transfer: NotesTransfer;
  /** Something the popup shows changed. */
  changed(): void;
}

export class TabMessages {
  constructor(private readonly to: TabMessageTargets) {}

  /** A content script connected its port. */
  handlePort(port: PortLike): void {
    if (port.name !== PORT_NAME) return;
    const tabId = port.sender?.tab?.id;
    if (tabId === undefined) {
      port.disconnect();
      return;
    }
    this.to.sessions.tab(tabId).port = port;
    port.onMessage.addListener((raw) => {
      const parsed = ContentToWorker.safeParse(raw);
      if (parsed.success) void this.receive(tabId, port, parsed.data);
    });
    port.onDisconnect.addListener(() => {
      // A newer content script of the same tab may have connected already.
      const tab = this.to.sessions.tabs.get(tabId);
      if (tab?.port !== port) return;
      tab.port = null;
      this.to.placement.remove(tabId);
      this.to.changed();
    });
  }

  /** The tab closed: out of its room, and its choice of room forgotten. */
  tabClosed(tabId: number): void {
    this.to.placement.remove(tabId);
    this.to.sessions.forget(tabId);
    this.to.changed();
  }

  /** "Add note here" from the context menu or the keyboard shortcut. */
  composePoint(tabId: number): void {
    post(this.to.sessions.tabs.get(tabId)?.port, { type: 'note:compose-point' });
  }

  private async receive(tabId: number, port: PortLike, message: ContentToWorker): Promise<void> {
    const { sessions, membership, connection } = this.to;
    switch (message.type) {
      case 'hello':
        return this.hello(tabId, port, message.url);
      case 'cursor:move': {
        const room = joinedRoomId(sessions.roomOf(tabId));
        if (room) connection.moveCursor(room, message.cursor);
        return;
      }
      case 'cursor:hide': {
        const room = joinedRoomId(sessions.roomOf(tabId));
        if (room) connection.hideCursor(room);
        return;
      }
      case 'leave':
        // pagehide: leave now; a page restored from the back/forward cache says hello again.
        this.to.placement.remove(tabId);
        this.to.changed();
        return;
      case 'idle':
        sessions.tab(tabId).idle = message.idle;
        membership.syncIdle(sessions.roomOf(tabId));
        return;
      case 'note:create':
        return this.to.writes.create(tabId, port, message);
      case 'note:update':
      case 'note:delete':
        return this.to.writes.change(tabId, port, message);
      case 'notes:export':
      case 'notes:import':
        return this.to.transfer.handle(tabId, port, message);
    }
  }

  /** The page the tab shows (first message on every port, and after a single-page app's navigation). */
  private async hello(tabId: number, port: PortLike, url: string): Promise<void> {
    // A restarted worker first reloads which room each tab had picked.
    await this.to.sessions.restored;
    if (this.to.sessions.tabs.get(tabId)?.port !== port) return;
    this.to.sessions.showing(tabId, url);
    await this.to.sharing.pageShown(tabId, port);
  }
}
