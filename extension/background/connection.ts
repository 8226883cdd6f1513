/**
 * The service worker's one Socket.IO connection: a Manager with one socket per namespace,
 * `/rooms` and `/notes`. It tries WebSocket first and falls back to long-polling over
 * `fetch` (a service worker has no XMLHttpRequest) when the WebSocket handshake fails, and
 * goes back to WebSocket when it can (transport-upgrade.ts). It tracks a status and the
 * transport for the popup and tells its owner when a namespace (re)connects so rooms can be
 * joined again.
 */
import { Fetch, Manager, WebSocket, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  resultSchema,
  type Auth,
  type Cursor,
  type NotesClientToServerEvents,
  type NotesServerToClientEvents,
  type Result,
  type RoomsClientToServerEvents,
  type RoomsServerToClientEvents,
} from '../../protocol/index.js';
import { probeUpgrades, transportOf, type TransportName } from './transport-upgrade.js';
import { timeOutWebSockets } from './websocket-timeout.js';

export type RoomsSocket = Socket<RoomsServerToClientEvents, RoomsClientToServerEvents>;
export type NotesSocket = Socket<NotesServerToClientEvents, NotesClientToServerEvents>;

/** `idle`: no connection wanted; `offline`: wanted but the server refused or is unreachable. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'offline';

/**
 * Why the last attempt to connect failed: nothing answered at the URL (the transport's own
 * error, such as `websocket error`, says no more than that), or the server answered and
 * refused the handshake, saying why.
 */
export type ConnectionProblem = { kind: 'unreachable' } | { kind: 'refused'; code: string; message: string };

/** What a `connect_error` means; a refused handshake carries `data: { code, message }` (PROTOCOL.md). */
export function problemOf(error: Error & { data?: unknown }): ConnectionProblem {
  const data = error.data as { code?: unknown; message?: unknown } | undefined;
  if (typeof data?.message === 'string') {
    return {
      kind: 'refused',
      code: typeof data.code === 'string' ? data.code : 'forbidden',
      message: data.message,
    };
  }
  return { kind: 'unreachable' };
}

/** How long a request waits for its ack before it counts as failed. */
export const ACK_TIMEOUT_MS = 10_000;

export interface ConnectionHooks {
  /** Called once per open, before connecting, to attach server event listeners. */
  bind(rooms: RoomsSocket, notes: NotesSocket): void;
  /** `/rooms` connected (first time or after a reconnect): join rooms again. */
  roomsConnected(): void;
  /** `/notes` connected: subscribe again. */
  notesConnected(): void;
  /** A namespace lost its connection; the server forgot our rooms or subscriptions there. */
  disconnected(namespace: 'rooms' | 'notes'): void;
  /** Status or error changed. */
  statusChanged(): void;
}

export type ManagerFactory = (url: string) => Manager;

const defaultManager: ManagerFactory = (url) =>
  new Manager(url, {
    // Constructors, not names: the default polling transport needs XMLHttpRequest. In this
    // order with tryAllTransports, a refused WebSocket handshake falls back to polling at
    // once; every reconnect tries WebSocket first again (issue 15).
    transports: [WebSocket, Fetch],
    tryAllTransports: true,
    autoConnect: false,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
  });

export class Connection {
  private manager: Manager | null = null;
  private roomsSocket: RoomsSocket | null = null;
  private notesSocket: NotesSocket | null = null;
  private openUrl: string | null = null;
  private statusValue: ConnectionStatus = 'idle';
  private problemValue: ConnectionProblem | null = null;
  /** Latest cursor per room that found the transport busy; sent on the next drain. */
  private readonly pendingCursors = new Map<string, Cursor>();
  /** Stops the transport watchers of the open manager (probes, WebSocket timeouts). */
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly hooks: ConnectionHooks,
    private readonly makeManager: ManagerFactory = defaultManager,
  ) {}

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** Why the connection is `offline`; null in every other status. */
  get problem(): ConnectionProblem | null {
    return this.statusValue === 'offline' ? this.problemValue : null;
  }

  /** The transport while connected: `polling` is the fallback the popup mentions. */
  get transport(): TransportName | null {
    return this.statusValue === 'connected' ? transportOf(this.manager) : null;
  }

  get url(): string | null {
    return this.openUrl;
  }

  get rooms(): RoomsSocket | null {
    return this.roomsSocket?.connected ? this.roomsSocket : null;
  }

  get notes(): NotesSocket | null {
    return this.notesSocket?.connected ? this.notesSocket : null;
  }

  /** Opens the connection; a no-op when it is already open to `url`. */
  open(url: string, auth: Auth): void {
    if (this.manager && this.openUrl === url) return;
    this.close();
    const manager = this.makeManager(url);
    const rooms: RoomsSocket = manager.socket('/rooms', { auth });
    const notes: NotesSocket = manager.socket('/notes', { auth });
    this.manager = manager;
    this.roomsSocket = rooms;
    this.notesSocket = notes;
    this.openUrl = url;
    this.hooks.bind(rooms, notes);
    this.watch(rooms, 'rooms');
    this.watch(notes, 'notes');
    // Every (re)open makes a new engine; its drain is when a busy transport can take cursors again.
    manager.on('open', () => manager.engine.on('drain', () => this.flushCursors()));
    this.setStatus('connecting', null);
    const stopProbing = probeUpgrades(manager, () => this.hooks.statusChanged());
    const stopTimeouts = timeOutWebSockets(manager, () => {
      rooms.connect();
      notes.connect();
    });
    this.stopWatching = () => {
      stopProbing();
      stopTimeouts();
    };
  }

  private watch(socket: Socket, namespace: 'rooms' | 'notes'): void {
    socket.on('connect', () => {
      this.refreshStatus(null);
      if (namespace === 'rooms') this.hooks.roomsConnected();
      else this.hooks.notesConnected();
    });
    socket.on('disconnect', () => {
      // The owner forgets the memberships first, so what the status change reports is current.
      this.hooks.disconnected(namespace);
      this.refreshStatus(this.problemValue);
    });
    socket.on('connect_error', (error: Error) => {
      this.refreshStatus(problemOf(error), true);
    });
  }

  /**
   * Sends a cursor as a volatile packet, which Socket.IO silently drops while the
   * transport is busy writing. A position that would be dropped is kept instead (only
   * the latest per room) and sent on the next drain, so the last position always
   * arrives and stale ones never queue up.
   */
  moveCursor(room: string, cursor: Cursor): void {
    const rooms = this.rooms;
    if (!rooms) return;
    if (this.manager?.engine?.transport?.writable) {
      this.pendingCursors.delete(room);
      rooms.volatile.emit('cursor:move', { room, cursor });
    } else {
      this.pendingCursors.set(room, cursor);
    }
  }

  /** Hides our cursor in a room; not volatile, it must arrive. */
  hideCursor(room: string): void {
    this.pendingCursors.delete(room);
    this.rooms?.emit('cursor:hide', { room });
  }

  private flushCursors(): void {
    const rooms = this.rooms;
    if (!rooms || this.pendingCursors.size === 0) return;
    const pending = [...this.pendingCursors];
    this.pendingCursors.clear();
    for (const [room, cursor] of pending) rooms.volatile.emit('cursor:move', { room, cursor });
  }

  /** New name or colour: used by the next handshake (presence:update covers the current one). */
  setAuth(auth: Auth): void {
    if (this.roomsSocket) this.roomsSocket.auth = auth;
    if (this.notesSocket) this.notesSocket.auth = auth;
  }

  close(): void {
    if (!this.manager) return;
    this.roomsSocket?.removeAllListeners();
    this.notesSocket?.removeAllListeners();
    this.roomsSocket?.disconnect();
    this.notesSocket?.disconnect();
    this.stopWatching?.();
    this.stopWatching = null;
    this.manager.removeAllListeners();
    this.manager = null;
    this.pendingCursors.clear();
    this.roomsSocket = null;
    this.notesSocket = null;
    this.openUrl = null;
    this.setStatus('idle', null);
  }

  private refreshStatus(problem: ConnectionProblem | null, failed = false): void {
    const both = Boolean(this.roomsSocket?.connected && this.notesSocket?.connected);
    if (both) this.setStatus('connected', null);
    else if (failed) this.setStatus('offline', problem);
    else this.setStatus(this.statusValue === 'offline' ? 'offline' : 'connecting', problem);
  }

  private setStatus(status: ConnectionStatus, problem: ConnectionProblem | null): void {
    if (status === this.statusValue && JSON.stringify(problem) === JSON.stringify(this.problemValue)) return;
    this.statusValue = status;
    this.problemValue = problem;
    this.hooks.statusChanged();
  }
}

/**
 * Sends a request and waits for its ack, parsed with `schema`. A timeout, a dropped
 * connection or a malformed ack all come back as a failed Result, never a throw.
 */
export async function request<T extends z.ZodType>(
  send: () => Promise<unknown>,
  schema: T,
): Promise<Result<z.infer<T>>> {
  let raw: unknown;
  try {
    raw = await send();
  } catch {
    return { ok: false, error: { code: 'unavailable', message: 'the server did not answer in time' } };
  }
  const parsed = resultSchema(schema).safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: { code: 'internal', message: 'the server sent a malformed answer' } };
  }
  return parsed.data as Result<z.infer<T>>;
}

/**
 * A request is refused `rate_limited` while our earlier answers are still on their way (or the
 * socket's budget is spent): ask again after this long, this many times at most.
 */
const PATIENT_RETRY_MS = 500;
const PATIENT_RETRIES = 20;

/** Sends a request again while it is refused `rate_limited`, a bounded number of times. */
export async function patiently<T>(send: () => Promise<Result<T>>): Promise<Result<T>> {
  for (let attempt = 0; ; attempt++) {
    const result = await send();
    if (result.ok || result.error.code !== 'rate_limited' || attempt === PATIENT_RETRIES) return result;
    await new Promise((resolve) => setTimeout(resolve, PATIENT_RETRY_MS));
  }
}
