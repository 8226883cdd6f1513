/**
 * Namespace /rooms: joining and leaving rooms, presence, and cursor moves. Ephemeral:
 * nothing here touches the store; the state lives in RoomState on this process.
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
  type Result,
  type RoomCreated,
  type RoomJoined,
  type RoomSummary,
} from '../../protocol/index.js';
import { message, request } from '../ack-handler.js';
import type { AddressAllowance } from '../budgets.js';
import type { Logger } from '../logger.js';
import type { PeerIds } from '../peer-ids.js';
import { isListed, type RoomAccess, type RoomAddress } from '../room-access.js';
import { socketAddress } from '../socket-guard.js';
import type { RoomsNamespace, RoomsSocket } from '../socket-types.js';
import { cursorChannelOf } from '../cursors/cursor-encoder.js';
import { createCursorEncoders } from '../cursors/encoders.js';
import { CursorFlusher } from './cursor-flusher.js';
import { RoomState, type CursorFormat } from './room-state.js';

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
}

export function registerRooms(nsp: RoomsNamespace, options: RoomsOptions): RoomsHandle {
  const { logger } = options;
  const ttlMs = options.presenceTtlMs ?? PRESENCE_TTL_MS;
  const encoders = createCursorEncoders();
  // The flusher is created right below; onDirty only fires once sockets act.
  // An early flush needs a whole tick since the room's last one: it stands in for a late tick.
  const state: RoomState = new RoomState(
    () => flusher.wake(),
    (flush) => flusher.sendNow(flush),
    1000 / options.tickHz,
    encoders,
  );
  const flusher = new CursorFlusher(
    nsp,
    () => state.takeFlush(),
    options.tickHz,
    logger,
    encoders,
    () => state.hasPending(),
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
  ): Result<RoomJoined> => {
    const { page, channel } = address;
    const { clientId, name, color } = socket.data;
    const peer = { id: options.peerIds.of(clientId, room), name, color, idle: false };
    const joined = state.join(
      room,
      { page, channel },
      socket.id,
      peer,
      format,
      Date.now(),
      socketAddress(socket),
    );
    void socket.join(room);
    // Each format's batches go to the members of that format only; a later join may switch it.
    void socket.join(cursorChannelOf(room, format));
    void socket.leave(cursorChannelOf(room, format === 'packed' ? 'objects' : 'packed'));
    if (joined.arrived) socket.to(room).emit('presence:joined', { room, peer: joined.self });
    return ok({ room, roomNo: joined.roomNo, self: joined.self, peers: joined.peers });
  };

  const leave = (socket: RoomsSocket, room: string): void => {
    const left = state.leave(room, socket.id);
    // Only rooms joined through room:join: leaving the socket's own id room would break except().
    if (left === null) return;
    void socket.leave(room);
    void socket.leave(cursorChannelOf(room, 'packed'));
    void socket.leave(cursorChannelOf(room, 'objects'));
    if (left.departed) nsp.to(room).emit('presence:left', { room, peerId: left.peerId });
  };

  const list = (input: RoomList): Result<RoomSummary[]> => {
    const page = normalizePageUrl(input.page);
    if (page === null) return fail('invalid', 'page: expected an http(s) URL');
    const rooms = state
      .summaries(page)
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
    const updated = state.updatePeer(room, peerId, patch);
    if (updated?.changed) nsp.to(room).emit('presence:updated', { room, peer: updated.peer });
    return ok(null);
  };

  const sweep = (): void => {
    for (const { room, socketId } of state.expired(Date.now(), ttlMs)) {
      const socket = nsp.sockets.get(socketId);
      if (socket) leave(socket, room);
      else {
        // The socket is gone without a disconnect we saw: forget it all the same.
        const left = state.leave(room, socketId);
        if (left?.departed) nsp.to(room).emit('presence:left', { room, peerId: left.peerId });
      }
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
    for (const left of state.leaveAll(this.id)) {
      if (left.departed) nsp.to(left.room).emit('presence:left', { room: left.room, peerId: left.peerId });
    }
  }

  nsp.on('connection', (socket) => {
    for (const event of events) socket.on(event, handlers[event]);
    socket.on('disconnect', disconnected);
  });

  return {
    stats: () => ({ cursorsRejected, cursorFlushes: flusher.stats.flushes }),
    close: () => {
      clearInterval(sweeper);
      flusher.close();
    },
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
