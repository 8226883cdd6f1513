/**
 * One simulated user per target, behind one small interface the load worker drives:
 * open (connect and join the room), send a cursor position, create a note (ours only),
 * close. Every client is a real network client with the WebSocket transport only:
 * socket.io-client for ours (the extension's Manager with /rooms and /notes) and the
 * Socket.IO baseline, `ws` for the bare WebSocket baseline.
 */
import { Manager, io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  unpackBatch,
  type Auth,
  type CursorBatch,
  type Note,
  type NoteCreate,
  type NotesClientToServerEvents,
  type NotesServerToClientEvents,
  type Result,
  type RoomJoined,
  type RoomsClientToServerEvents,
  type RoomsServerToClientEvents,
} from '../../protocol/index.js';
import type { TargetName } from '../support/server-under-test.js';

type RoomsSocket = Socket<RoomsServerToClientEvents, RoomsClientToServerEvents>;
type NotesSocket = Socket<NotesServerToClientEvents, NotesClientToServerEvents>;

/** What the worker hears from a client. Called synchronously from socket callbacks. */
export interface ClientSink {
  /** One cursor update: from whom (the id the target uses for peers) and where. */
  cursor(fromPeer: string, x: number, y: number): void;
  /**
   * One WebSocket message carrying cursor data (a batch for ours, one update for the
   * baselines). Ours also reports the bytes of the batch's entries and their number (own
   * entry included), for the bytes per update inside a batch.
   */
  frame(batch?: { entryBytes: number; entries: number }): void;
  /** Ours: a `note:created` broadcast. */
  noteCreated(note: Note): void;
  /** The connection closed while the run still wanted it. */
  disconnected(reason: string): void;
}

export interface UserSpec {
  /** Global index of the user in the workload. */
  index: number;
  /** Room number; users of the same number share a room. */
  room: number;
  /** Unique per benchmark run, so the auth store never sees an id twice. */
  runId: string;
  /** Ours: also open /notes and subscribe (what the extension holds open). */
  notes: boolean;
}

export type NoteAck = (outcome: { ok: true; note: Note } | { ok: false; reason: string }) => void;

export interface BenchClient {
  /** Connects and joins the room; resolves with this user's peer id as others will see it. */
  open(): Promise<string>;
  /** Sends one position; false when the client library dropped it before it reached the socket. */
  sendCursor(x: number, y: number): boolean;
  createNote(payload: Omit<NoteCreate, 'room'>, ack: NoteAck): void;
  close(): void;
}

const OPEN_TIMEOUT_MS = 20_000;
const ACK_TIMEOUT_MS = 10_000;

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out`)), OPEN_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error) => reject(error));
  });
}

/** The page every user of room `room` is on. */
export function pageOf(room: number): string {
  return `https://bench.example/page-${room}`;
}

function baselineRoom(room: number): string {
  return `room-${room}`;
}

export function createClient(target: TargetName, url: string, user: UserSpec, sink: ClientSink): BenchClient {
  switch (target) {
    case 'ours':
      return oursClient(url, user, sink);
    case 'ws-relay':
      return wsRelayClient(url, user, sink);
    case 'socketio-relay':
      return socketIoRelayClient(url, user, sink);
  }
}

function oursClient(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const auth: Auth = {
    clientId: `b${user.runId}-${user.index}`,
    secret: `bench-secret-${user.runId}-${user.index}`,
    name: `user ${user.index}`,
    color: '#3366cc',
  };
  // The extension's connection: one Manager, one socket per namespace, WebSocket only.
  const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false });
  const rooms: RoomsSocket = manager.socket('/rooms', { auth });
  const notes: NotesSocket | null = user.notes ? manager.socket('/notes', { auth }) : null;
  let room = '';
  let self = '';

  // Packed batches, as the extension takes them: one array for the whole room, our own
  // entry included; peer numbers come from the join ack and presence:joined.
  const peerIds = new Map<number, string>();
  let selfNo = 0;
  rooms.on('presence:joined', ({ peer }) => {
    if (peer.no !== undefined) peerIds.set(peer.no, peer.id);
  });
  rooms.on('cursor:packed', (payload) => {
    const batch = unpackBatch(payload);
    if (!batch.ok) throw new Error(`cursor:packed: ${batch.error.message}`);
    // `[roomNo,e1,...]`: everything after the room number is entries (with their separators).
    const entryBytes = JSON.stringify(payload).length - `[${batch.value.roomNo}]`.length;
    sink.frame({ entryBytes, entries: batch.value.entries.length });
    for (const { no, cursor } of batch.value.entries) {
      const peerId = peerIds.get(no);
      if (no === selfNo || peerId === undefined || cursor === null) continue;
      sink.cursor(peerId, cursor.x, cursor.y);
    }
  });
  // An objects batch would mean the server ignored cursorFormat: count what it carries.
  rooms.on('cursor:batch', (batch: CursorBatch) => {
    sink.frame();
    for (const entry of batch.cursors)
      if (entry.cursor) sink.cursor(entry.peerId, entry.cursor.x, entry.cursor.y);
  });
  notes?.on('note:created', ({ note }) => sink.noteCreated(note));
  let closing = false;
  rooms.on('disconnect', (reason) => {
    if (!closing) sink.disconnected(`/rooms: ${reason}`);
  });
  notes?.on('disconnect', (reason) => {
    if (!closing) sink.disconnected(`/notes: ${reason}`);
  });

  const open = async (): Promise<string> => {
    const roomsUp = connected(rooms);
    const notesUp = notes ? connected(notes) : Promise.resolve();
    rooms.connect();
    notes?.connect();
    await withTimeout('connect', Promise.all([roomsUp, notesUp]));
    const joined: Result<RoomJoined> = await withTimeout(
      'room:join',
      rooms
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('room:join', { page: pageOf(user.room), cursorFormat: 'packed' }),
    );
    if (!joined.ok) throw new Error(`room:join: ${joined.error.code} ${joined.error.message}`);
    room = joined.value.room;
    self = joined.value.self.id;
    selfNo = joined.value.self.no ?? 0;
    for (const peer of joined.value.peers) if (peer.no !== undefined) peerIds.set(peer.no, peer.id);
    if (notes) {
      const subscribed = await withTimeout(
        'notes:subscribe',
        notes.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:subscribe', { room }),
      );
      if (!subscribed.ok) throw new Error(`notes:subscribe: ${subscribed.error.code}`);
    }
    return self;
  };

  return {
    open,
    sendCursor(x, y) {
      // socket.io-client discards a volatile packet while the transport is busy writing;
      // check the same condition so such drops are counted instead of silently missing.
      const writable = manager.engine?.transport?.writable === true;
      rooms.volatile.emit('cursor:move', { room, cursor: { x, y } });
      return writable;
    },
    createNote(payload, ack) {
      if (!notes) {
        ack({ ok: false, reason: 'no /notes socket' });
        return;
      }
      notes.timeout(ACK_TIMEOUT_MS).emit('note:create', { ...payload, room }, (error, result) => {
        if (error) ack({ ok: false, reason: 'timeout' });
        else if (result.ok) ack({ ok: true, note: result.value });
        else ack({ ok: false, reason: result.error.code });
      });
    },
    close() {
      closing = true;
      rooms.disconnect();
      notes?.disconnect();
      manager.engine?.close();
    },
  };
}

interface RelayedCursor {
  id: string;
  x: number;
  y: number;
}

function wsRelayClient(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const id = `u${user.index}`;
  const target = `${url.replace(/^http/, 'ws')}/?room=${baselineRoom(user.room)}&id=${id}`;
  let ws: WebSocket | null = null;
  let closing = false;
  return {
    open: () =>
      withTimeout(
        'connect',
        new Promise<string>((resolve, reject) => {
          const socket = new WebSocket(target, { perMessageDeflate: false });
          ws = socket;
          socket.once('open', () => resolve(id));
          socket.once('error', reject);
          socket.once('close', (code) => {
            if (!closing) sink.disconnected(`ws close ${code}`);
          });
          socket.on('message', (data) => {
            sink.frame();
            const move = JSON.parse(data.toString()) as RelayedCursor;
            sink.cursor(move.id, move.x, move.y);
          });
        }),
      ),
    sendCursor(x, y) {
      if (!ws || ws.readyState !== ws.OPEN) return false;
      ws.send(JSON.stringify({ x, y }));
      return true;
    },
    createNote(_payload, ack) {
      ack({ ok: false, reason: 'the baseline has no notes' });
    },
    close() {
      closing = true;
      ws?.terminate();
    },
  };
}

function socketIoRelayClient(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const id = `u${user.index}`;
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    autoConnect: false,
    forceNew: true,
    auth: { room: baselineRoom(user.room), id },
  });
  socket.on('cursor', (move: RelayedCursor) => {
    sink.frame();
    sink.cursor(move.id, move.x, move.y);
  });
  let closing = false;
  socket.on('disconnect', (reason) => {
    if (!closing) sink.disconnected(reason);
  });
  return {
    open: async () => {
      const up = connected(socket);
      socket.connect();
      await withTimeout('connect', up);
      return id;
    },
    sendCursor(x, y) {
      if (!socket.connected) return false;
      socket.emit('cursor', { x, y });
      return true;
    },
    createNote(_payload, ack) {
      ack({ ok: false, reason: 'the baseline has no notes' });
    },
    close() {
      closing = true;
      socket.disconnect();
    },
  };
}
