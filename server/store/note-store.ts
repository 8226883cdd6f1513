/**
 * The storage seam of the server: notes per room and the secret hash per clientId.
 * SQLite is the default implementation; PostgreSQL comes later, which is why every
 * method returns a promise even though better-sqlite3 is synchronous.
 */
import type { Note, NoteAnchor, NoteAuthor } from '../../protocol/index.js';

/** What a client supplies for a new note; the store adds id, version, author and times. */
export interface NoteInput {
  anchor: NoteAnchor;
  body: string;
  color?: string | undefined;
  parentId?: string | undefined;
}

/** Why a write was refused; the handlers map each to the wire error code of the same name. */
export type StoreRefusal = 'not_found' | 'forbidden' | 'conflict';

export type StoreResult<T> = { ok: true; value: T } | { ok: false; reason: StoreRefusal };

export interface CreateOutcome {
  note: Note;
  /** False when the (room, author, opId) was seen before and `note` is the one stored then. */
  created: boolean;
}

/** An update or delete: its result, and false in `applied` when it was a replayed opId. */
export interface WriteOutcome<T> {
  value: T;
  applied: boolean;
}

export interface NoteStore {
  /** The room's notes, oldest first. */
  list(room: string): Promise<Note[]>;
  /**
   * Stores a note once per (room, author.id, opId): a retry answers the stored note with
   * `created: false`. `not_found` when `input.parentId` is not a note of the room.
   */
  create(
    room: string,
    opId: string,
    input: NoteInput,
    author: NoteAuthor,
  ): Promise<StoreResult<CreateOutcome>>;
  /**
   * Replaces the body if `version` is current and `authorId` wrote it; bumps version and
   * updatedAt. With an `opId` seen before for (room, authorId), answers the first outcome
   * again with `applied: false` and changes nothing.
   */
  update(
    room: string,
    id: string,
    version: number,
    body: string,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<Note>>>;
  /** Deletes the note under the same checks (and opId rule) as {@link NoteStore.update}. Replies are kept. */
  delete(
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<{ id: string }>>>;
  /** The hash stored for `clientId`, or null when it has never connected. */
  getSecretHash(clientId: string): Promise<string | null>;
  /**
   * Stores `hash` for `clientId` unless one is stored already, and returns the hash that
   * is stored afterwards. Atomic, so two first connections cannot both win.
   */
  claimSecretHash(clientId: string, hash: string): Promise<string>;
  /**
   * Records a private room of `page` with the hash of its invite key. False when that
   * (page, channel) exists already; the caller then picks another channel.
   */
  createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean>;
  /** The invite key hash of a private room, or null when there is no such room. */
  getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null>;
  /**
   * A random 32-byte secret of the server, made once per store under `name` and the same
   * on every later call and restart (and, with a shared store, on every node).
   */
  getServerSecret(name: string): Promise<Buffer>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
