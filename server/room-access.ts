/**
 * Who may enter a room and which rooms `room:list` may show, for both namespaces.
 * Public and named channels are open to everyone. A private channel (`p-` + 12 base32
 * characters, always made by the server through `room:create`) needs its invite key;
 * the store keeps only the key's sha256, so a stolen database opens no room.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatInviteCode, isPrivateChannel, roomIdFor, type RoomCreated } from '../protocol/index.js';
import type { NoteStore } from './store/note-store.js';

export interface RoomAddress {
  page: string;
  channel: string;
}

/** RFC 4648 base32 alphabet, lower-cased, as `PRIVATE_CHANNEL` in protocol/ expects. */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** Random bytes in an invite key: 192 bits, 32 url-safe characters. */
const KEY_BYTES = 24;
/** A fresh channel colliding with an existing one of the page is a 2^-60 event; retry a few times. */
const CREATE_ATTEMPTS = 4;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `p-` and 12 base32 characters (60 random bits). */
export function randomPrivateChannel(): string {
  const bytes = randomBytes(12);
  let out = 'p-';
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}

export interface RoomAccess {
  /**
   * Whether a client holding `key` (maybe none) may join or subscribe to the room.
   * Answers synchronously (`true`) for public and named channels, so those joins keep the
   * order in which the client sent its events; only a private channel asks the store.
   */
  canEnter(room: RoomAddress, key: string | undefined): true | Promise<boolean>;
  /** Makes a private room on `page` (already normalised) and answers its key, once. */
  createPrivate(page: string): Promise<RoomCreated>;
}

export function createRoomAccess(store: NoteStore): RoomAccess {
  const checkKey = async ({ page, channel }: RoomAddress, key: string | undefined): Promise<boolean> => {
    // Any channel of the private shape is private: nobody can squat one as a named room.
    const stored = await store.getPrivateRoomKeyHash(page, channel);
    if (stored === null || key === undefined) return false;
    const expected = Buffer.from(stored, 'hex');
    const offered = sha256(key);
    // Constant-time compare, so answer timing tells nothing about the stored hash.
    return expected.length === offered.length && timingSafeEqual(expected, offered);
  };

  return {
    canEnter(room, key) {
      return isPrivateChannel(room.channel) ? checkKey(room, key) : true;
    },
    async createPrivate(page) {
      for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
        const channel = randomPrivateChannel();
        const key = randomBytes(KEY_BYTES).toString('base64url');
        if (await store.createPrivateRoom(page, channel, sha256(key).toString('hex'))) {
          return { room: roomIdFor(page, channel), channel, key, invite: formatInviteCode(channel, key) };
        }
      }
      throw new Error('could not find a free private channel');
    },
  };
}

/** Whether `room:list` may name the channel: private rooms are never listed. */
export function isListed(room: RoomAddress): boolean {
  return !isPrivateChannel(room.channel);
}
