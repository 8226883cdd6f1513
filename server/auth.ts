/**
 * Handshake middleware for every namespace: checks `auth` against the Auth schema and
 * proves the clientId with its secret (the first secret seen for an id wins; the
 * store keeps only its sha256). Accepted sockets get `socket.data` filled in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ExtendedError } from 'socket.io';
import { Auth, invalid, type ErrorCode } from '../protocol/index.js';
import type { AddressAllowance } from './budgets.js';
import { addressKey } from './limits.js';
import type { Logger } from './logger.js';
import type { PeerIds } from './peer-ids.js';
import type { SocketData } from './socket-types.js';
import type { NoteStore } from './store/note-store.js';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A connect error the client sees as `err.message === code` with `err.data = { code, message }`. */
export function handshakeError(code: ErrorCode, message: string): ExtendedError {
  const error: ExtendedError = new Error(code);
  error.data = { code, message };
  return error;
}

/** What `handshake.auth` becomes once checked: one shared empty object (idle memory). */
const CHECKED = Object.freeze({});

/** The part of a socket of any namespace that the middleware touches. */
interface HandshakingSocket {
  handshake: { auth: unknown };
  data: SocketData;
  conn: { remoteAddress?: string };
}

/** The socket data for valid credentials, or the error that refuses them. */
async function admit(
  store: NoteStore,
  peerIds: PeerIds,
  auth: Auth,
  address: string,
  newIds: AddressAllowance,
): Promise<SocketData | ExtendedError> {
  // Handlers derive peer ids synchronously once a socket is in.
  await peerIds.ready();
  const offered = sha256(auth.secret);
  // Reading first keeps reconnects free of write transactions; only a new clientId claims,
  // and each claim is a stored row: an address may make only so many.
  let storedHex = await store.getSecretHash(auth.clientId);
  if (storedHex === null) {
    if (!newIds.take(address)) {
      return handshakeError('rate_limited', 'too many new clientIds from this address; try again later');
    }
    storedHex = await store.claimSecretHash(auth.clientId, offered.toString('hex'));
  }
  const stored = Buffer.from(storedHex, 'hex');
  // Constant-time compare so response timing leaks nothing about the stored hash.
  if (stored.length !== offered.length || !timingSafeEqual(stored, offered)) {
    return handshakeError('forbidden', 'this clientId is registered with another secret');
  }
  void store.touchClient(auth.clientId).catch(() => undefined); // last seen, for expiry
  return { clientId: auth.clientId, name: auth.name, color: auth.color };
}

/**
 * Middleware for `namespace.use(...)`. `newIds` is the per-address allowance of clientIds
 * the store has not seen yet (budgets.ts newIdentities), shared by every namespace.
 */
export function authMiddleware(store: NoteStore, peerIds: PeerIds, logger: Logger, newIds: AddressAllowance) {
  return (socket: HandshakingSocket, next: (err?: ExtendedError) => void): void => {
    const parsed = Auth.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      next(handshakeError('invalid', invalid(parsed.error).error.message));
      return;
    }
    admit(store, peerIds, parsed.data, addressKey(socket.conn.remoteAddress), newIds).then(
      (admitted) => {
        if (admitted instanceof Error) return next(admitted);
        socket.data = admitted;
        // Socket.IO keeps the handshake for the socket's lifetime; socket.data holds what
        // is needed, and the secret should not linger (nor show in the admin UI).
        socket.handshake.auth = CHECKED;
        next();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'auth store failure');
        next(handshakeError('unavailable', 'the server cannot check credentials right now'));
      },
    );
  };
}
