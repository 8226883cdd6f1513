/**
 * Namespace /rooms: joining and leaving rooms, presence, and cursor moves. Ephemeral:
 * nothing here touches the store. RoomState holds this process's sockets; who is in a room
 * is the PresenceStore's answer: RoomState again on one node, Redis on several.
 */
import {
  CursorMove,
  fail,
  normalizeChannel,
  normalizePageUrl,
  ok,
  parseRoomId,
  PresenceUpdate,
  PRESENCE_TTL_MS,
  roomIdFor,
  PUBLIC_CHANNEL,
  RoomCreate,
  RoomJoin,
  RoomList,
  RoomRef,
  type Peer,
  type Result,
  type RoomCreated,
  type RoomJoined,
  type RoomSummary,
} from '../../protocol/index.js';
import { message, request } from '../ack-handler.js';
import type { AddressAllowance } from '../budgets.js';
import type { RedisLink } from '../cluster/redis-link.js';
import { ClusterRoomState } from '../cluster/cluster-room-state.js';
import { RedisPresenceStore } from '../cluster/redis-presence.js';
import { remoteBroadcasts } from '../cluster/remote-broadcasts.js';
import { publisher } from '../cluster/sharded-adapter.js';
import type { RemoteBroadcast } from '../cluster/sharded-adapter.js';
import type { Logger } from '../logger.js';
import type { PeerIds } from '../peer-ids.js';
import { isListed, type RoomAccess, type RoomAddress } from '../room-access.js';
import { socketAddress } from '../socket-guard.js';
import type { RoomsNamespace, RoomsSocket } from '../socket-types.js';
import { cursorChannelOf } from '../cursors/cursor-encoder.js';
import { CursorFlusher } from './cursor-flusher.js';
import { after, LocalPresenceStore, type PresenceStore } from './presence-store.js';
import { RoomState, type CursorFlush, type CursorFormat, type LeaveOutcome } from './room-state.js';

/** `room:list` answers at most this many channels, the busiest first. */
const MAX_LISTED = 50;

export interface RoomsStats {
  /** `cursor:move` / `cursor:hide` dropped: bad payload or a room the socket is not in. */
  cursorsRejected: number;
  /** Ticks that sent cursor batches. */
  cursorFlushes: number;
}

export interface RoomsHandle {
  stats(): RoomsStats;
  /** Stops the cursor timer; sockets are closed by the Socket.IO server. */
  close(): void;
  /** Several-node mode: sees the broadcasts other nodes send to this node's rooms; true: taken over. */
  onRemote(broadcast: RemoteBroadcast): boolean;
}

export interface RoomsOptions {
  tickHz: number;
  logger: Logger;
  /** Presence time-to-live; {@link PRESENCE_TTL_MS} (protocol/presence.ts) by default. */
  presenceTtlMs?: number;
  /** Private rooms: who may enter, and making new ones. */
  access: RoomAccess;
  /** A socket in this many rooms is refused another with `too_large`. */
  maxRoomsPerSocket: number;
  /** Each person's id in each room. */
  peerIds: PeerIds;
  /** Rooms the sockets of one address may be in together (budgets.ts roomsPerAddress). */
  maxRoomsPerAddress: number;
  /** `room:create` per address (budgets.ts privateRoomCreates). */
  privateRooms: AddressAllowance;
  /** Several-node mode: presence in Redis, named after this node; null on one node. */
  cluster?: { link: RedisLink; nodeId: string } | null;
}

export function registerRooms(nsp: RoomsNamespace, options: RoomsOptions): RoomsHandle {
  const { logger } = options;
  const ttlMs = options.presenceTtlMs ?? PRESENCE_TTL_MS;
  const cluster = options.cluster ?? null;
  // The flusher is created right below; onDirty only fires once sockets act.
  // An early flush needs a whole tick since the room's last one: it stands in for a late tick.
  const onDirty = () => flusher.wake();
  const onEarlyFlush = (flush: CursorFlush) => flusher.sendNow(flush);
  const gapMs = 1000 / options.tickHz;
  const clusterState = cluster
    ? new ClusterRoomState(onDirty, onEarlyFlush, gapMs, (room, path) => redis?.numberPath(room, path))
    : null;
  const state: RoomState = clusterState ?? new RoomState(onDirty, onEarlyFlush, gapMs);
  const redis =
    cluster && clusterState
      ? new RedisPresenceStore(clusterState, cluster.link, cluster.nodeId, ttlMs, logger)
      : null;
  const presence: PresenceStore = redis ?? new LocalPresenceStore(state);
  const announceLeft = (left: LeaveOutcome | null) => {
    if (left?.departed) told(left.room, left.peerId, false);
  };
  /** Tells the room (every node) that a peer left or is there; the cluster remembers what its people heard. */
  const told = (room: string, peerId: string, present: boolean, peer?: Peer) => {
    redis?.heard(room, peerId, present);
    // "Someone else joined": never to the peer's own sockets.
    if (present && peer)
      nsp.to(room).except(state.socketsOf(room, peerId)).emit('presence:joined', { room, peer });
    else if (!present) nsp.to(room).emit('presence:left', { room, peerId });
  };
  if (redis) {
    redis.events = {
      departed: (room, peerId) => told(room, peerId, false),
      returned: (room, peer) => told(room, peer.id, true, peer),
      mended: (room, joined, left) => {
        // This node's people only: every node mends its own.
        for (const peer of joined) {
          nsp.local.to(room).except(state.socketsOf(room, peer.id)).emit('presence:joined', { room, peer });
        }
        for (const peerId of left) nsp.local.to(room).emit('presence:left', { room, peerId });
      },
      // Reliable, unlike the batches: this node's packed sockets read later batches by it.
      renumbered: (room, roomNo) =>
        nsp.local.to(cursorChannelOf(room, 'packed')).emit('cursor:paths', { room, paths: [], roomNo }),
    };
  }
  const flusher = new CursorFlusher(
    nsp,
    () => state.takeFlush(),
    options.tickHz,
    logger,
    state.encoders,
    () => state.hasPending(),
    cluster ? publisher(nsp) : null,
  );
  let cursorsRejected = 0;
  const rejected = () => {
    cursorsRejected += 1;
  };

  const join = (socket: RoomsSocket, input: RoomJoin): Result<RoomJoined> | Promise<Result<RoomJoined>> => {
    const page = normalizePageUrl(input.page);
    if (page === null) return fail('invalid', 'page: expected an http(s) URL');
    const channel = normalizeChannel(input.channel);
    const room = checkedRoomId(page, channel);
    if (room === null) return fail('invalid', 'channel: not a usable channel name');
    if (state.peerIn(room, socket.id) === null) {
      if (state.roomCount(socket.id) >= options.maxRoomsPerSocket) {
        return fail('too_large', `in ${options.maxRoomsPerSocket} rooms already; leave one first`);
      }
      // Every room held costs memory (its path table above all): bounded per address.
      if (state.roomsOfRemote(socketAddress(socket)) >= options.maxRoomsPerAddress) {
        return fail('too_large', 'this address is in too many rooms; leave one first');
      }
    }
    const access = options.access.canEnter({ page, channel }, input.key);
    // Public and named rooms are entered synchronously, in the order the client sent its events.
    const format = input.cursorFormat ?? 'objects';
    if (access === true) return enter(socket, room, { page, channel }, format);
    return access.then((allowed) =>
      allowed && socket.connected
        ? enter(socket, room, { page, channel }, format)
        : fail('forbidden', 'this room needs a valid key'),
    );
  };

  const enter = (
    socket: RoomsSocket,
    room: string,
    address: RoomAddress,
    format: CursorFormat,
  ): Result<RoomJoined> | Promise<Result<RoomJoined>> => {
    const { page, channel } = address;
    const { clientId, name, color } = socket.data;
    const peer = { id: options.peerIds.of(clientId, room), name, color, idle: false };
    // In the Socket.IO rooms before Redis answers, so no broadcast falls between the answer
    // and the join (the client drops what comes before its ack).
    void socket.join(room);
    // Each format's batches go to the members of that format only; a later join may switch it.
    void socket.join(cursorChannelOf(room, format));
    void socket.leave(cursorChannelOf(room, format === 'packed' ? 'objects' : 'packed'));
    const joining = presence.join({
      room,
      address: { page, channel },
      socketId: socket.id,
      peer,
      format,
      remote: socketAddress(socket),
      now: Date.now(),
    });
    return after(joining, (joined): Result<RoomJoined> => {
      // Gone while Redis answered: its disconnect found nothing to leave yet.
      if (!socket.connected) {
        void after(presence.leave(room, socket.id), announceLeft);
        return fail('invalid', 'disconnected');
      }
      if (joined.arrived) socket.to(room).emit('presence:joined', { room, peer: joined.self });
      for (const peer of [joined.self, ...joined.peers]) redis?.heard(room, peer.id, true);
      return ok({ room, roomNo: joined.roomNo, self: joined.self, peers: joined.peers });
    });
  };

  const leave = (socket: RoomsSocket, room: string): void => {
    // Only rooms joined through room:join: leaving the socket's own id room would break except().
    if (!state.has(room, socket.id)) return;
    void socket.leave(room);
    void socket.leave(cursorChannelOf(room, 'packed'));
    void socket.leave(cursorChannelOf(room, 'objects'));
    void after(presence.leave(room, socket.id), announceLeft);
  };

  const list = (input: RoomList): Result<RoomSummary[]> | Promise<Result<RoomSummary[]>> => {
    const page = normalizePageUrl(input.page);
    if (page === null) return fail('invalid', 'page: expected an http(s) URL');
    return after(presence.list(page), (summaries) => listed(page, summaries));
  };

  const listed = (page: string, summaries: Array<RoomSummary & RoomAddress>): Result<RoomSummary[]> => {
    const rooms = summaries
      .filter((summary) => summary.count > 0 && isListed(summary))
      .map(({ channel, room, count }) => ({ channel, room, count }));
    // The public room is always offered, even empty, so a client can list it without a special case.
    if (!rooms.some((summary) => summary.channel === PUBLIC_CHANNEL)) {
      rooms.push({ channel: PUBLIC_CHANNEL, room: roomIdFor(page, PUBLIC_CHANNEL), count: 0 });
    }
    rooms.sort(
      (a, b) =>
        Number(b.channel === PUBLIC_CHANNEL) - Number(a.channel === PUBLIC_CHANNEL) ||
        b.count - a.count ||
        a.channel.localeCompare(b.channel),
    );
    return ok(rooms.slice(0, MAX_LISTED));
  };

  const updatePresence = (socket: RoomsSocket, input: PresenceUpdate): Result<null> => {
    const { room, ...patch } = input;
    const peerId = state.peerIn(room, socket.id);
    if (peerId === null) return fail('forbidden', 'join the room first');
    // Later joins of this socket use the new name and colour too.
    if (patch.name !== undefined) socket.data.name = patch.name;
    if (patch.color !== undefined) socket.data.color = patch.color;
    // zod leaves absent optional keys out, so the patch never erases a field. An update
    // that changes nothing is the client's keep-alive: it refreshed the TTL above, and
    // is not broadcast.
    const updated = presence.update(room, peerId, patch);
    if (updated?.changed) nsp.to(room).emit('presence:updated', { room, peer: updated.peer });
    return ok(null);
  };

  const sweep = (): void => {
    for (const { room, socketId } of state.expired(Date.now(), ttlMs)) {
      const socket = nsp.sockets.get(socketId);
      // The socket is gone without a disconnect we saw: forget it all the same.
      if (socket) leave(socket, room);
      else void after(presence.leave(room, socketId), announceLeft);
    }
  };
  const sweeper = setInterval(
    () => {
      try {
        sweep();
      } catch (error) {
        logger.error({ err: error }, 'presence sweep failed');
      }
    },
    Math.max(50, ttlMs / 3),
  );
  sweeper.unref();

  const moveCursor = (socket: RoomsSocket, room: string, cursor: CursorMove['cursor'] | null): boolean => {
    const peerId = state.peerIn(room, socket.id);
    return peerId !== null && state.setCursor(room, peerId, cursor);
  };

  // Made once for the namespace: each handler gets its socket as `this` (ack-handler.ts),
  // so a connection costs its listener entries, not a set of closures (idle memory).
  const handlers = {
    'room:join': request({ event: 'room:join', schema: RoomJoin, logger }, (input, socket: RoomsSocket) =>
      join(socket, input),
    ),
    'room:leave': request(
      { event: 'room:leave', schema: RoomRef, logger, ackOptional: true },
      ({ room }, socket: RoomsSocket) => {
        leave(socket, room);
        return ok(null);
      },
    ),
    'room:create': request(
      { event: 'room:create', schema: RoomCreate, logger },
      (input, socket: RoomsSocket): Result<RoomCreated> | Promise<Result<RoomCreated>> => {
        const page = normalizePageUrl(input.page);
        if (page === null) return fail('invalid', 'page: expected an http(s) URL');
        // Each private room is a stored row: an address makes only so many.
        if (!options.privateRooms.take(socketAddress(socket))) {
          return fail('rate_limited', 'too many private rooms from this address; try again later');
        }
        return options.access.createPrivate(page).then(ok);
      },
    ),
    'room:list': request({ event: 'room:list', schema: RoomList, logger }, list),
    'presence:update': request(
      { event: 'presence:update', schema: PresenceUpdate, logger, ackOptional: true },
      (input, socket: RoomsSocket) => updatePresence(socket, input),
    ),
    'cursor:move': message(
      { event: 'cursor:move', schema: CursorMove, logger },
      (input, socket: RoomsSocket) => moveCursor(socket, input.room, input.cursor),
      rejected,
    ),
    'cursor:hide': message(
      { event: 'cursor:hide', schema: RoomRef, logger },
      (input, socket: RoomsSocket) => moveCursor(socket, input.room, null),
      rejected,
    ),
  };
  const events = Object.keys(handlers) as Array<keyof typeof handlers>;
  function disconnected(this: RoomsSocket): void {
    for (const room of state.roomsOf(this.id)) void after(presence.leave(room, this.id), announceLeft);
  }

  nsp.on('connection', (socket) => {
    for (const event of events) socket.on(event, handlers[event]);
    socket.on('disconnect', disconnected);
  });

  return {
    stats: () => ({ cursorsRejected, cursorFlushes: flusher.stats.flushes }),
    close: () => {
      clearInterval(sweeper);
      presence.close();
      flusher.close();
    },
    onRemote: redis && clusterState ? remoteBroadcasts(nsp.name, clusterState, redis) : () => false,
  };
}

/**
 * The room id for a normalised page and channel, or null when the pair does not survive
 * the round trip (a channel containing "|" would make an id that parses differently).
 */
function checkedRoomId(page: string, channel: string): string | null {
  const room = roomIdFor(page, channel);
  return parseRoomId(room) ? room : null;
}
