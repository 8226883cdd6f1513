/**
 * A person as the extension behaves on the wire, for the multi-node tests: one reconnecting
 * Socket.IO connection (WebSocket unless told otherwise) carrying /rooms and /notes, that keeps alive within
 * the presence TTL, joins its room again after every reconnect, resubscribes to notes from
 * the revision it has, and keeps unacknowledged note creations in an outbox that it sends
 * again, with the same opId, once connected.
 */
import { randomBytes } from 'node:crypto';
import { Manager } from 'socket.io-client';
import type { Note, NotesChanges, Result, RoomJoined } from '../../protocol/index.js';
import { makeAuth, type NotesClient, type RoomsClient } from './clients.js';
import { RoomView } from './room-view.js';
import { once } from './wait.js';

const ACK_MS = 4_000;

/** Where the user's membership is: `joined` after an accepted room:join on the current connection. */
export type UserState = 'connecting' | 'joined' | 'disconnected';

export interface ClusterUser {
  name: string;
  rooms: RoomsClient;
  notes: NotesClient;
  /** The room as this user sees it. */
  view: RoomView;
  state(): UserState;
  /** The answer to the latest accepted room:join. */
  joined(): RoomJoined;
  /** Resolves with the next accepted room:join (after a reconnect). */
  nextJoin(timeoutMs?: number): Promise<RoomJoined>;
  /** When each accepted room:join was answered (performance.now()), first one included. */
  joinTimes: number[];
  /** Creates a note; an answer that is not ok (or none) leaves it in the outbox. */
  createNote(body: string): Promise<{ opId: string; result: Result<Note> | 'no answer' }>;
  /** Sends every unacknowledged note again, oldest first, with its opId (as after a reconnect). */
  retryOutbox(): Promise<void>;
  /** opIds sent but not acknowledged yet. */
  outbox(): string[];
  /** Resolves once the outbox is empty, with every note acknowledged so far. */
  drained(timeoutMs?: number): Promise<Note[]>;
  /** Every note acknowledged to this user, by opId. */
  acked: Map<string, Note>;
  close(): void;
}

export interface UserOptions {
  url: string;
  page: string;
  name: string;
  cursorFormat?: 'packed' | 'objects';
  /** How often to send presence:update; a quarter of the TTL in the tests. */
  keepAliveMs: number;
  /** Reconnect when the connection drops (through nginx), or not (to one node directly). */
  reconnect?: boolean;
  /**
   * Engine.IO transports in the order tried: WebSocket only by default; `['polling']` is
   * someone whose WebSocket is blocked, `['polling', 'websocket']` Socket.IO's default
   * (polling, then an upgrade of the same session).
   */
  transports?: Array<'websocket' | 'polling'>;
}

/** Connects, joins `page` and subscribes to its notes; resolves once both are done. */
export async function startUser(options: UserOptions): Promise<ClusterUser> {
  const auth = makeAuth({ name: options.name });
  const manager = new Manager(options.url, {
    transports: options.transports ?? ['websocket'],
    forceNew: true,
    reconnection: options.reconnect ?? true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 250,
    randomizationFactor: 0,
  });
  const rooms = manager.socket('/rooms', { auth }) as RoomsClient;
  const notes = manager.socket('/notes', { auth }) as NotesClient;
  const view = new RoomView(rooms);
  let state: UserState = 'connecting';
  let joined: RoomJoined | null = null;
  let revision = 0;
  const joins: Array<(joined: RoomJoined) => void> = [];
  const joinTimes: number[] = [];
  const pending = new Map<string, { room: string; body: string }>();
  const acked = new Map<string, Note>();
  const drainWaiters: Array<() => void> = [];

  const settleDrain = () => {
    if (pending.size === 0) for (const resolve of drainWaiters.splice(0)) resolve();
  };
  const sendCreate = async (opId: string): Promise<Result<Note> | 'no answer'> => {
    const op = pending.get(opId);
    if (!op) return 'no answer';
    const payload = { room: op.room, opId, anchor: { selectors: [] }, body: op.body };
    let result: Result<Note> | 'no answer';
    try {
      result = (await notes.timeout(ACK_MS).emitWithAck('note:create', payload)) as Result<Note>;
    } catch {
      result = 'no answer';
    }
    if (result !== 'no answer' && result.ok) {
      pending.delete(opId);
      acked.set(opId, result.value);
      settleDrain();
    }
    return result;
  };

  const retryOutbox = async () => {
    for (const opId of [...pending.keys()]) await sendCreate(opId);
  };

  rooms.on('connect', () => {
    state = 'connecting';
    rooms
      .timeout(ACK_MS)
      .emitWithAck('room:join', { page: options.page, cursorFormat: options.cursorFormat })
      .then((result: Result<RoomJoined>) => {
        if (!result.ok) throw new Error(`${options.name}: join refused: ${result.error.message}`);
        joinTimes.push(performance.now());
        joined = result.value;
        view.reset(result.value);
        state = 'joined';
        for (const resolve of joins.splice(0)) resolve(result.value);
      })
      .catch(() => undefined);
  });
  rooms.on('disconnect', () => {
    state = 'disconnected';
  });
  notes.on('connect', () => {
    const room = joined?.room;
    const subscribe = async () => {
      const target = room ?? (await new Promise<RoomJoined>((resolve) => joins.push(resolve))).room;
      const changes = (await notes
        .timeout(ACK_MS)
        .emitWithAck('notes:subscribe', { room: target, since: revision })) as Result<NotesChanges>;
      if (changes.ok) revision = changes.value.revision;
      // The outbox goes out again on every connection.
      await retryOutbox();
    };
    subscribe().catch(() => undefined);
  });
  const keepAlive = setInterval(() => {
    if (state === 'joined' && joined) rooms.emit('presence:update', { room: joined.room, idle: false });
  }, options.keepAliveMs);

  const nextJoin = (timeoutMs = 15_000) =>
    new Promise<RoomJoined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name}: not back in the room`)), timeoutMs);
      joins.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });

  const first = nextJoin();
  await once(notes, 'connect', () => true, 10_000);
  await first;

  return {
    name: options.name,
    rooms,
    notes,
    view,
    state: () => state,
    joined: () => {
      if (!joined) throw new Error(`${options.name} never joined`);
      return joined;
    },
    nextJoin,
    joinTimes,
    createNote: async (body) => {
      const opId = randomBytes(9).toString('base64url');
      pending.set(opId, { room: (joined as RoomJoined).room, body });
      return { opId, result: await sendCreate(opId) };
    },
    retryOutbox,
    outbox: () => [...pending.keys()],
    drained: (timeoutMs = 15_000) =>
      new Promise<Note[]>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${options.name}: outbox still holds ${pending.size}`)),
          timeoutMs,
        );
        drainWaiters.push(() => {
          clearTimeout(timer);
          resolve([...acked.values()]);
        });
        settleDrain();
      }),
    acked,
    close: () => {
      clearInterval(keepAlive);
      rooms.close();
      notes.close();
      manager.engine?.close();
    },
  };
}
