/**
 * Peer ids per room. A peer id used to be a hash of the clientId alone,
 * the same in every room and on every page, so anyone in two rooms could tell that the same
 * person was in both. Now it is an HMAC of the clientId and the room under a key the server
 * keeps in its store: stable for a person within a room (notes stay theirs, reconnects keep
 * their id), unrelated across rooms, and not computable by anyone without the key.
 */
import { createHash, createHmac } from 'node:crypto';

/** The name of the server secret in the store (NoteStore.getServerSecret). */
export const PEER_ID_SECRET = 'peer-id';

/** `clientId`'s peer id in `room` under `key`: 12 bytes, 16 base64url characters. */
export function peerIdOf(key: Buffer, clientId: string, room: string): string {
  // The NUL cannot occur in a room id or a clientId, so no two pairs hash the same input.
  return createHmac('sha256', key)
    .update(room + '\0' + clientId)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** The id every room saw before peer ids were per room; only migrations still need it. */
export function legacyPeerIdOf(clientId: string): string {
  return createHash('sha256')
    .update('peer:' + clientId)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/**
 * The peer ids of one server. The key comes from the store once; the handshake waits for
 * {@link PeerIds.ready}, so every handler after it may call {@link PeerIds.of} synchronously
 * (a public join must stay synchronous to keep the client's event order).
 */
export class PeerIds {
  private key: Buffer | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly loadKey: () => Promise<Buffer>) {}

  ready(): Promise<void> {
    if (this.key) return Promise.resolve();
    this.loading ??= this.loadKey().then(
      (key) => {
        this.key = key;
      },
      (error: unknown) => {
        // A store that failed now may answer on the next handshake.
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }

  /** `clientId`'s peer id in `room`. Only after {@link ready} resolved. */
  of(clientId: string, room: string): string {
    if (!this.key) throw new Error('peer id key not loaded yet');
    return peerIdOf(this.key, clientId, room);
  }
}
