/**
 * Real socket.io-client connections to a test server, typed with the protocol's event
 * maps, plus handshake credentials and a request helper that awaits the ack.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  Auth,
  NotesClientToServerEvents,
  NotesServerToClientEvents,
  RoomsClientToServerEvents,
  RoomsServerToClientEvents,
} from '../../protocol/index.js';
import { once } from './wait.js';

export type RoomsClient = Socket<RoomsServerToClientEvents, RoomsClientToServerEvents>;
export type NotesClient = Socket<NotesServerToClientEvents, NotesClientToServerEvents>;
/** An untyped view, for sending what the protocol forbids. */
export type RawClient = Socket;

const ACK_TIMEOUT_MS = 3000;

/** Fresh, valid handshake credentials; `overrides` may break them on purpose. */
export function makeAuth(overrides: Partial<Record<keyof Auth, unknown>> = {}): Record<keyof Auth, unknown> {
  return {
    clientId: randomBytes(12).toString('base64url'),
    secret: randomBytes(24).toString('base64url'),
    name: 'Ada',
    color: '#1a2b3c',
    ...overrides,
  };
}

/** Both transports, for limit tests that must hold on each (issue 15). */
export const TRANSPORTS = ['websocket', 'polling'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

let transport: TransportName = 'websocket';

/**
 * The transport every client made from now on uses, only that one (no upgrade): a test
 * file runs its limit tests once per transport with `describe.each(TRANSPORTS)`.
 */
export function useTransport(name: TransportName): void {
  transport = name;
}

/** The options of a client on the current transport; `polling` never upgrades. */
export function transportOptions(): { transports: TransportName[]; upgrade: boolean } {
  return { transports: [transport], upgrade: false };
}

/** The `connect_error` message of a connection refused before Socket.IO (HTTP 403), per transport. */
export function refusedMessage(): string {
  return transport === 'websocket' ? 'websocket error' : 'xhr poll error';
}

function open(url: string, namespace: string, auth: object): Socket {
  // forceNew: every client is its own connection, like two browser profiles.
  return io(url + namespace, { auth, ...transportOptions(), forceNew: true, reconnection: false });
}

/** Connects and resolves once the handshake is accepted; rejects with the connect error. */
async function connect(url: string, namespace: string, auth: object): Promise<Socket> {
  const socket = open(url, namespace, auth);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

export const connectRooms = (url: string, auth: object = makeAuth()) =>
  connect(url, '/rooms', auth) as Promise<RoomsClient>;

export const connectNotes = (url: string, auth: object = makeAuth()) =>
  connect(url, '/notes', auth) as Promise<NotesClient>;

/** The `connect_error` a refused handshake ends in: its message and `data`. */
export async function handshakeError(
  url: string,
  namespace: string,
  auth: object,
  extraHeaders?: Record<string, string>,
): Promise<{ message: string; data: unknown }> {
  const socket = io(url + namespace, {
    auth,
    ...transportOptions(),
    forceNew: true,
    reconnection: false,
    ...(extraHeaders ? { extraHeaders } : {}),
  });
  try {
    const error = await Promise.race([
      once<Error & { data?: unknown }>(socket, 'connect_error'),
      once(socket, 'connect').then(() => {
        throw new Error('the handshake was accepted');
      }),
    ]);
    return { message: error.message, data: error.data };
  } finally {
    socket.close();
  }
}

/** The raw socket under a typed one. */
export const raw = (socket: RoomsClient | NotesClient): RawClient => socket as unknown as RawClient;

/** Emits `event` with `payload` and resolves with the ack, bounded by a timeout. */
export function ask(socket: RoomsClient | NotesClient, event: string, payload?: unknown): Promise<unknown> {
  return raw(socket).timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
}
