/**
 * The rooms this worker has open: one per page and channel that some tab is in, shared by
 * all those tabs (one `room:join` on the wire however many tabs show the page, one
 * `room:leave` when the last of them goes). An open room carries two explicit states, each
 * changed by one module only:
 *
 * - `membership` (room-membership.ts): `idle`, `joining` or `joined` on `/rooms`;
 * - `notes.subscription` (notes-sync.ts): `idle`, `subscribing` or `subscribed` on `/notes`,
 *   next to the notes held and the revision they are whole up to.
 *
 * Each state has a generation, bumped whenever it is reset (the room was left, the
 * namespace dropped, the server changed): an answer to a request made under an older
 * generation is late and changes nothing.
 */
import type { Note, Peer, Result } from '../../protocol/index.js';

/** Membership of the room on `/rooms`. */
export type Membership =
  | { state: 'idle'; generation: number }
  | {
      state: 'joining';
      generation: number;
      /** The `room:join` in flight: callers during the join wait for this one answer (null: not connected). */
      answer: Promise<Result<null> | null>;
    }
  | {
      state: 'joined';
      generation: number;
      /** This browser profile as the room sees it. */
      self: Peer;
      /** Everyone else, by peer id. */
      peers: Map<string, Peer>;
      /** The room's number in `cursor:packed` batches, from the join ack. */
      roomNo: number | null;
      /** Element paths the server numbered for this room's packed batches. */
      paths: Map<number, string>;
    };

export type Joined = Extract<Membership, { state: 'joined' }>;

/** The `notes:subscribe` of the room on the current `/notes` connection. */
export interface Subscription {
  state: 'idle' | 'subscribing' | 'subscribed';
  generation: number;
}

/** The room's notes as this worker holds them; kept over reconnects and brought up to date by revision. */
export interface RoomNotes {
  subscription: Subscription;
  notes: Map<string, Note>;
  /**
   * The room's revision we hold every change up to: the `since` of the next subscribe. 0
   * while we hold nothing from a subscribe.
   */
  revision: number;
  /** Revisions above `revision` applied already (note events, our acks); `revision` moves over them with no gap left. */
  seen: Set<number>;
  /** Ids of notes deleted in the room, so a late event never brings one back. */
  gone: Set<string>;
  /** True once what a previous worker kept of the room (notes-cache.ts) was read back. */
  cacheRead: boolean;
  /** True once the room's tabs were sent its whole set; later changes go to them one by one. */
  shown: boolean;
}

export interface OpenRoom {
  /** Local key: `roomIdFor(page, channel)`. */
  key: string;
  page: string;
  channel: string;
  /** Invite key and code of a private room, as the tab that picked it had them. */
  inviteKey: string | null;
  invite: string | null;
  /** The server's id for the room, from the first join ack; kept across rejoins. */
  room: string | null;
  /** The tabs in the room. */
  tabs: Set<number>;
  membership: Membership;
  /** What we last told the room about our idle state (idle when every tab in it is). */
  reportedIdle: boolean;
  notes: RoomNotes;
  /** Last join or subscribe failure, for the popup. */
  error: string | null;
}

export function newOpenRoom(
  key: string,
  page: string,
  channel: string,
  inviteKey: string | null,
  invite: string | null,
): OpenRoom {
  return {
    key,
    page,
    channel,
    inviteKey,
    invite,
    room: null,
    tabs: new Set(),
    membership: { state: 'idle', generation: 0 },
    reportedIdle: false,
    notes: {
      subscription: { state: 'idle', generation: 0 },
      notes: new Map(),
      revision: 0,
      seen: new Set(),
      gone: new Set(),
      cacheRead: false,
      shown: false,
    },
    error: null,
  };
}

/** The room's membership when it is joined, else null. */
export function joined(entry: OpenRoom | null | undefined): Joined | null {
  return entry?.membership.state === 'joined' ? entry.membership : null;
}

/** The server's id of a joined room, else null. */
export function joinedRoomId(entry: OpenRoom | null | undefined): string | null {
  return joined(entry) && entry?.room ? entry.room : null;
}
