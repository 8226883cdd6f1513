/**
 * Typed Socket.IO namespaces and the per-socket data the auth middleware fills in.
 * The event maps come from protocol/, so server and extension share one contract.
 */
import type { Namespace, Socket } from 'socket.io';
import type {
  NotesClientToServerEvents,
  NotesServerToClientEvents,
  RoomsClientToServerEvents,
  RoomsServerToClientEvents,
} from '../protocol/index.js';

/** Set by the handshake middleware on every accepted socket. */
export interface SocketData {
  /**
   * Private: never sent to anyone. The `Peer.id` others see is derived from it per room
   * (server/peer-ids.ts).
   */
  clientId: string;
  name: string;
  color: string;
}

// No server-to-server events yet; the Redis adapter may add some.
type InterServerEvents = Record<string, never>;

export type RoomsNamespace = Namespace<
  RoomsClientToServerEvents,
  RoomsServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type RoomsSocket = Socket<
  RoomsClientToServerEvents,
  RoomsServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export type NotesNamespace = Namespace<
  NotesClientToServerEvents,
  NotesServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type NotesSocket = Socket<
  NotesClientToServerEvents,
  NotesServerToClientEvents,
  InterServerEvents,
  SocketData
>;
