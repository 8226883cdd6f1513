/**
 * The storage seam of the server: notes per room and the secret hash per clientId.
 * SQLite is the default implementation; PostgreSQL comes later, which is why every
 * method returns a promise even though better-sqlite3 is synchronous.
 *
 * A store that cannot do its work right now (disk full, I/O error, read-only file, locked,
 * closed) rejects with {@link StoreUnavailableError}, which clients see as `unavailable`,
 * and says so in {@link NoteStore.health} until a write succeeds again.
 *
 * Revisions: each room has a revision, 0 before its first change, bumped by one in
 * the same transaction as every create, update and delete (and every note an import creates),
 * so the revisions of a room are gap-free and commit in order: a reader that sees revision r
 * committed sees every revision below it committed too. Each note carries the revision of its
 * last change; a delete leaves a tombstone at its revision, kept as long as the store. That
 * makes {@link NoteStore.changes} exact for any `since`, which is how a client that comes back,
 * possibly to another node, gets what it missed.
 */
import type { Note, NoteAnchor, NoteAuthor, NotesPage } from '../../protocol/index.js';

/** The store cannot serve the request now; retrying later may work. Not the request's fault. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    /** What the store reports in /healthz: `read-only` while writes fail, `unreachable` otherwise. */
    readonly state: Exclude<StoreHealth['store'], 'ok'>,
    /** The engine's code, such as SQLITE_FULL. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`store ${state}: ${reason}`, options);
  }
}

/** What /healthz reports about the store. */
export type StoreHealth =
  { ok: true; store: 'ok' } | { ok: false; store: 'read-only' | 'unreachable'; reason: string };

/** Per-room and per-author bounds checked in the same transaction as the insert. */
export interface NoteQuota {
  /** Notes a room may hold; one more is refused `too_large`. */
  perRoom: number;
  /** Notes one clientId may create in 24 hours (rolling), over all rooms; more are `rate_limited`. */
  perAuthorPerDay: number;
}

/** Who writes: the public author fields, and the clientId kept privately for quotas and expiry. */
export interface Writer {
  author: NoteAuthor;
  /** Never sent on the wire; the note's owner for per-author quotas and identity expiry. */
  clientId: string;
  quota: NoteQuota;
}

/** How big a page may grow: notes, and bytes as measured by `sizeOf` (the note's JSON by default). */
export interface PageBounds {
  maxNotes: number;
  maxBytes: number;
  sizeOf?: (note: Note) => number;
}

/**
 * A room's changes after a revision, as {@link NoteStore.changes} answers them: notes created
 * or updated (each as it is now, carrying its `revision`) and ids deleted, in revision order.
 */
export interface NoteChanges {
  /** Notes whose last change is after `since` and within this page, by revision. */
  notes: Note[];
  /** Ids of notes deleted after `since` and within this page (tombstones), by revision. */
  deleted: string[];
  /**
   * The revision to ask for the changes after, when more follow (the revision of the page's
   * last change); null when this page reaches {@link NoteChanges.revision}.
   */
  next: number | null;
  /** The room's current revision, read in the same snapshot as the page. */
  revision: number;
  /**
   * True when `since` was above the room's revision (a revision this store never handed out):
   * the page then starts from revision 0, and the caller drops what it had of the room.
   */
  reset: boolean;
}

/** One item of an import: a note to create under `opId`, by the importer. */
export interface ImportItem {
  opId: string;
  input: Omit<NoteInput, 'parentId'>;
  /**
   * A reply's parent: the item at `index` of the same import (an earlier one), or the note an
   * earlier import stored under `opId` in the room, or else the id `otherwise`, of no note
   * here: the reply keeps a parent that is gone, as a reply does whose parent was deleted.
   */
  parent?: { index: number } | { opId: string; otherwise: string };
}

export interface ImportOutcome {
  /** Notes stored now, in order. */
  created: Note[];
  /** Items whose opId was stored before. */
  unchanged: number;
  /** Items not reached, and why the import stopped before them. */
  remaining: number;
  stoppedBy: 'budget' | 'too_large' | 'rate_limited' | null;
}

/** What a client supplies for a new note; the store adds id, version, author and times. */
export interface NoteInput {
  anchor: NoteAnchor;
  body: string;
  color?: string | undefined;
  parentId?: string | undefined;
}

/**
 * Why a write was refused; the handlers map each to the wire error code of the same name.
 * `too_large`: the room is full; `rate_limited`: the author's notes of the day are used up.
 */
export type StoreRefusal = 'not_found' | 'forbidden' | 'conflict' | 'too_large' | 'rate_limited';

export type StoreResult<T> = { ok: true; value: T } | { ok: false; reason: StoreRefusal };

export interface CreateOutcome {
  note: Note;
  /** False when the (room, author, opId) was seen before and `note` is the one stored then. */
  created: boolean;
}

/** What a delete answers: the id, and the revision of its tombstone. */
export interface DeleteOutcome {
  id: string;
  revision?: number;
}

/** An update or delete: its result, and false in `applied` when it was a replayed opId. */
export interface WriteOutcome<T> {
  value: T;
  applied: boolean;
}

/** Identities, private rooms and server secrets: the store's part that is not notes. */
export interface AccountStore {
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
  /**
   * Notes that `clientId` is still in use (a handshake), cheaply: at most one write per
   * clientId and day. Identities not seen for a while and owning no note expire.
   */
  touchClient(clientId: string): Promise<void>;
  /** Deletes identities not seen since `before` that own no note; answers how many. */
  expireClients(before: Date): Promise<number>;
}

/**
 * Forwards {@link AccountStore} to a store's `accounts` part, so each store's class keeps
 * its notes and hands the rest to pg-accounts.ts / sqlite-accounts.ts.
 */
export abstract class ForwardsAccounts implements AccountStore {
  protected abstract readonly accounts: AccountStore;
  getSecretHash(clientId: string): Promise<string | null> {
    return this.accounts.getSecretHash(clientId);
  }
  claimSecretHash(clientId: string, hash: string): Promise<string> {
    return this.accounts.claimSecretHash(clientId, hash);
  }
  createPrivateRoom(page: string, channel: string, keyHash: string): Promise<boolean> {
    return this.accounts.createPrivateRoom(page, channel, keyHash);
  }
  getPrivateRoomKeyHash(page: string, channel: string): Promise<string | null> {
    return this.accounts.getPrivateRoomKeyHash(page, channel);
  }
  getServerSecret(name: string): Promise<Buffer> {
    return this.accounts.getServerSecret(name);
  }
  touchClient(clientId: string): Promise<void> {
    return this.accounts.touchClient(clientId);
  }
  expireClients(before: Date): Promise<number> {
    return this.accounts.expireClients(before);
  }
}

export interface NoteStore extends AccountStore {
  /** All of the room's notes, oldest first: unbounded, so for tests and tools, never a request. */
  list(room: string): Promise<Note[]>;
  /**
   * The room's notes after the cursor `after` (from the start when null), oldest first (in
   * the order they were stored), within `bounds`: always at least one note when any is left.
   * For `notes:export`, whose pages must not repeat a note; subscribers read {@link changes}.
   */
  page(room: string, after: string | null, bounds: PageBounds): Promise<NotesPage>;
  /**
   * The room's changes after revision `since` (0: every note), in revision order, within
   * `bounds` counting a note and a deleted id alike as one change (a deleted id's size is its
   * JSON string's): always at least one change when any is left. Read in one snapshot, so
   * `revision` is the room's revision as of the page. A note changed again after a page was
   * read has a revision after that page's `next`, so it comes again, as it is then, in a
   * later page; nothing is lost and nothing ends stale. A `since` above the room's revision
   * answers from 0 with `reset: true`. Tombstones are never pruned.
   */
  changes(room: string, since: number, bounds: PageBounds): Promise<NoteChanges>;
  /** How many notes the room holds, and how many of them come before the cursor `after`. */
  count(room: string, after?: string | null): Promise<{ total: number; before: number }>;
  /**
   * Stores a note once per (room, author.id, opId): a retry answers the stored note with
   * `created: false`. `not_found` when `input.parentId` is not a note of the room;
   * `too_large` / `rate_limited` over the writer's quota (checked in the same transaction).
   */
  create(room: string, opId: string, input: NoteInput, writer: Writer): Promise<StoreResult<CreateOutcome>>;
  /**
   * Creates the items in order in one transaction, as {@link NoteStore.create} would each, until
   * `take()` (asked once per note about to be stored, never for an unchanged one) says no or a
   * quota is reached; everything stored is committed together.
   */
  importNotes(
    room: string,
    items: readonly ImportItem[],
    writer: Writer,
    take: () => boolean,
  ): Promise<ImportOutcome>;
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
  /**
   * Deletes the note under the same checks (and opId rule) as {@link NoteStore.update}, leaving
   * a tombstone at the room's next revision, which it answers. Replies are kept. A replayed
   * opId answers the first outcome, which has no `revision` when it was stored before the store kept revisions.
   */
  delete(
    room: string,
    id: string,
    version: number,
    authorId: string,
    opId?: string,
  ): Promise<StoreResult<WriteOutcome<DeleteOutcome>>>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Whether the store can read and write now: `read-only` from a failed write until one
   * succeeds (while degraded, asking tries a small write, so it recovers without traffic).
   */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
