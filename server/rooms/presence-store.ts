/**
 * Who is in which room, as people see it: the peer lists of `room:join`, the
 * `presence:joined/left` decisions, `room:list` head counts. One node answers from its own
 * RoomState ({@link LocalPresenceStore}); several nodes answer from Redis, with RoomState as
 * the cache of the node's own sockets (server/cluster/redis-presence.ts).
 *
 * Answers are synchronous when they can be, so a public join on one node keeps the client's
 * event order; the Redis store answers with promises.
 */
import type { Peer, RoomSummary } from '../../protocol/index.js';
import type { RoomAddress } from '../room-access.js';
import type { CursorFormat, LeaveOutcome, RoomState } from './room-state.js';

export type MaybePromise<T> = T | Promise<T>;

export interface JoinRequest {
  room: string;
  address: RoomAddress;
  socketId: string;
  peer: Peer;
  format: CursorFormat;
  /** The socket's remote address key (memberships are counted per address). */
  remote: string;
  now: number;
}

export interface Arrival {
  self: Peer & { no: number };
  /** Everyone else in the room. */
  peers: Peer[];
  /** True when this peer was in the room nowhere before, so others must hear of it. */
  arrived: boolean;
  roomNo: number;
}

export interface PresenceStore {
  join(request: JoinRequest): MaybePromise<Arrival>;
  /** `departed` when the socket was the peer's last one anywhere. Null when it was not in the room. */
  leave(room: string, socketId: string): MaybePromise<LeaveOutcome | null>;
  /** The peer after the patch, and whether anything changed (only then is it broadcast). */
  update(
    room: string,
    peerId: string,
    patch: Partial<Omit<Peer, 'id' | 'no'>>,
  ): { peer: Peer; changed: boolean } | null;
  /** The rooms of a page with their head counts. */
  list(page: string): MaybePromise<Array<RoomSummary & RoomAddress>>;
  close(): void;
}

/** One node: RoomState is the whole truth, and every answer is immediate. */
export class LocalPresenceStore implements PresenceStore {
  constructor(private readonly state: RoomState) {}

  join({ room, address, socketId, peer, format, now, remote }: JoinRequest): Arrival {
    const joined = this.state.join(room, address, socketId, peer, format, now, remote);
    return {
      self: joined.self as Arrival['self'],
      peers: joined.peers,
      arrived: joined.arrived,
      roomNo: joined.roomNo,
    };
  }

  leave(room: string, socketId: string): LeaveOutcome | null {
    return this.state.leave(room, socketId);
  }

  update(room: string, peerId: string, patch: Partial<Omit<Peer, 'id' | 'no'>>) {
    return this.state.updatePeer(room, peerId, patch);
  }

  list(page: string): Array<RoomSummary & RoomAddress> {
    return this.state.summaries(page);
  }

  close(): void {}
}

/** Runs `next` on the value now when it is one, after it when it is a promise. */
export function after<T, R>(value: MaybePromise<T>, next: (value: T) => R): R | Promise<Awaited<R>> {
  return value instanceof Promise ? (value.then(next) as Promise<Awaited<R>>) : next(value);
}
