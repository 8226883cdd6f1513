/**
 * The service worker's parts, built and wired together; index.ts connects them to the
 * browser's events. Where each behaviour lives:
 *
 * | behaviour                                             | module                                      |
 * | ----------------------------------------------------- | ------------------------------------------- |
 * | which room each tab wants, and which room it is in    | tab-sessions.ts                             |
 * | the rooms open now and their explicit states          | open-rooms.ts                               |
 * | messages from content scripts, ports and tabs closing | tab-messages.ts                             |
 * | putting a tab in its room and taking it out           | tab-placement.ts                            |
 * | sharing on/off per site, pause all                    | sharing.ts                                  |
 * | granted sites, the content scripts registered there   | site-access.ts                              |
 * | switching rooms, private rooms, invite codes          | room-switcher.ts                            |
 * | join, leave, keep-alive, idle, who is here            | room-membership.ts                          |
 * | notes:subscribe (with the private key), catch-up      | notes-sync.ts                               |
 * | creating, editing, deleting notes via the outbox      | note-writes.ts, outbox.ts                   |
 * | export and import                                     | notes-transfer.ts                           |
 * | every event from the server                           | inbound-router.ts                           |
 * | the socket.io connection, and when it is open         | connection.ts, connection-lifetime.ts       |
 * | WebSocket first, long-polling when it is blocked      | websocket-timeout.ts                        |
 * | back to WebSocket; the worker kept running on polling | transport-upgrade.ts; polling-keep-alive.ts |
 * | name and colour; the server URL                       | profile.ts; server-url.ts                   |
 * | what the popup shows and asks                         | popup-api.ts                                |
 */
import type { ChromeApi } from '../chrome-api.js';
import { Connection, type ManagerFactory } from './connection.js';
import { ConnectionLifetime } from './connection-lifetime.js';
import { PollingKeepAlive } from './polling-keep-alive.js';
import { routeInbound } from './inbound-router.js';
import { NoteWrites } from './note-writes.js';
import { NotesSync } from './notes-sync.js';
import { NotesTransfer } from './notes-transfer.js';
import { Profile } from './profile.js';
import { RoomMembership } from './room-membership.js';
import { RoomSwitcher } from './room-switcher.js';
import { ServerUrl } from './server-url.js';
import type { SettingsStore } from './settings.js';
import { Sharing } from './sharing.js';
import { SiteAccess, type ContentFiles } from './site-access.js';
import { TabMessages } from './tab-messages.js';
import { TabPlacement } from './tab-placement.js';
import { TabSessions } from './tab-sessions.js';

export interface BackgroundWorker {
  sessions: TabSessions;
  connection: Connection;
  tabs: TabMessages;
  sharing: Sharing;
  switcher: RoomSwitcher;
  profile: Profile;
  serverUrl: ServerUrl;
  notes: NotesSync;
  writes: NoteWrites;
  access: SiteAccess;
  /**
   * The grants changed (permissions.onAdded/onRemoved, the popup): scripts registered and
   * injected to match, sharing stopped where they may no longer run.
   */
  grantsChanged(): Promise<void>;
  /** Gives grants back (sharing switched off there), then as {@link grantsChanged}. */
  releaseGrants(patterns: string[]): Promise<void>;
  /** Worker start: reload the tabs' choices, send what a previous instance left unsent. */
  start(): Promise<void>;
}

/** `changed` is called (coalesced by the caller) whenever something the popup shows changed. */
export function createWorker(
  api: ChromeApi,
  settings: SettingsStore,
  changed: () => void,
  files: ContentFiles,
  makeManager?: ManagerFactory,
): BackgroundWorker {
  const sessions = new TabSessions(api);
  const connection: Connection = new Connection(
    {
      bind: (rooms, notesSocket) => routeInbound(rooms, notesSocket, { sessions, membership, notes }),
      roomsConnected: () => membership.joinAll(),
      notesConnected: () => {
        notes.subscribeAll();
        writes.flush();
      },
      disconnected: (namespace) => (namespace === 'rooms' ? membership.dropped() : notes.dropped()),
      statusChanged: () => {
        membership.sendServerState();
        changed();
      },
    },
    makeManager,
  );
  const membership: RoomMembership = new RoomMembership(api, connection, sessions, {
    joined: (entry) => void notes.subscribe(entry),
    changed,
  });
  const notes: NotesSync = new NotesSync(connection, sessions, api.storageSession, { changed });
  const workerAlive = new PollingKeepAlive(api.storageSession, () => connection.transport);
  const lifetime: ConnectionLifetime = new ConnectionLifetime(connection, settings, {
    needed: () => sessions.rooms.size > 0 || writes.outbox.size > 0,
    opened: () => {
      membership.startKeepAlive();
      workerAlive.start();
    },
    closed: () => {
      membership.stopKeepAlive();
      workerAlive.stop();
    },
  });
  // The alarm is set only when it changes: setting it again would push its next ring back.
  let waking = false;
  const wake = (on: boolean): void => {
    if (on === waking) return;
    waking = on;
    api.setWakeAlarm(on);
  };
  const writes: NoteWrites = new NoteWrites(api.storageLocal, settings, sessions, notes, {
    needConnection: () => {
      wake(true);
      void lifetime.open();
    },
    drained: () => {
      wake(false);
      lifetime.closeSoonIfUnused();
    },
  });
  const placement = new TabPlacement(api, sessions, membership, notes, writes, lifetime);
  const access = new SiteAccess(api, files);
  const sharing = new Sharing(settings, sessions, placement, lifetime, changed, access);
  const grantsChanged = async (): Promise<void> => {
    const { removed } = await access.sync();
    await sharing.keepInStep(removed);
  };
  const tabs = new TabMessages({
    sessions,
    placement,
    sharing,
    membership,
    connection,
    writes,
    transfer: new NotesTransfer(sessions, connection),
    changed,
  });
  return {
    sessions,
    connection,
    tabs,
    sharing,
    switcher: new RoomSwitcher(settings, sessions, placement, connection, changed),
    profile: new Profile(settings, connection, membership, changed),
    serverUrl: new ServerUrl(settings, sessions, lifetime, membership, notes, changed),
    notes,
    writes,
    access,
    grantsChanged,
    async releaseGrants(patterns) {
      await api.hosts.remove(patterns);
      await grantsChanged();
    },
    async start() {
      await Promise.all([settings.load(), sessions.restore()]);
      // A restart or a browser update must neither lose nor double the registered scripts.
      await grantsChanged();
      await writes.resume();
    },
  };
}
