/**
 * Each open room's notes, kept in step with the server over `/notes`. This is the only
 * module that sends `notes:subscribe`, and the only one that decides which invite key goes
 * with it: a private room is refused without its key, so every subscribe (a joined room's,
 * an outbox replay's, a conflict's re-read) is built by {@link NotesSync.subscribePayload}.
 *
 * A room's subscription has an explicit state (`idle | subscribing | subscribed`, open-rooms.ts)
 * and a generation bumped whenever `/notes` drops or the room closes. Notes arrive from pages of
 * the subscribe, from note events and from the acks of our own writes, in any order; each is
 * applied only over an older revision of it, and the room's revision moves on only with no gap
 * left, so a reconnect or a restarted worker asks for just the changes after it
 * (`since`), from whichever server node it reaches.
 */
import { serverErrorText } from '../shared/server-errors.js';
import {
  NotesChanges,
  ok,
  type Note,
  type NoteChanged,
  type NoteDeleted,
  type NotesSubscribe,
  type Result,
} from '../../protocol/index.js';
import type { PortLike, StorageAreaLike } from '../chrome-api.js';
import { ACK_TIMEOUT_MS, patiently, request, type Connection, type NotesSocket } from './connection.js';
import { NotesCache } from './notes-cache.js';
import type { OpenRoom } from './open-rooms.js';
import { post, type TabSessions } from './tab-sessions.js';

/**
 * Revisions and deleted ids a room remembers at most: past that, `seen` is forgotten (the
 * next catch-up just asks from a bit earlier) and the oldest deleted ids go.
 */
const MAX_REMEMBERED = 10_000;

export interface NotesSyncHooks {
  /** Something the popup shows changed (a subscribe failed). */
  changed(): void;
}

export class NotesSync {
  /** Each room's notes and revision in storage.session, for the next worker after Chrome stops this one. */
  readonly cache: NotesCache;

  constructor(
    private readonly connection: Connection,
    private readonly sessions: TabSessions,
    sessionArea: StorageAreaLike,
    private readonly hooks: NotesSyncHooks,
  ) {
    this.cache = new NotesCache(sessionArea);
  }

  /**
   * The invite key a subscribe to `room` needs: the open room's, else `kept` (the key an
   * outbox op was written with, for a replay when no tab has the room open any more).
   */
  keyFor(room: string, kept: string | null = null): string | null {
    return this.sessions.byRoomId(room)?.inviteKey ?? kept;
  }

  /** What `notes:subscribe` sends for `room`: its invite key too when it is private. */
  subscribePayload(room: string, kept: string | null = null, since?: number): NotesSubscribe {
    const key = this.keyFor(room, kept);
    return { room, ...(key ? { key } : {}), ...(since !== undefined ? { since } : {}) };
  }

  /** Subscribes a joined room (after its join, and again after `/notes` reconnects). */
  async subscribe(entry: OpenRoom): Promise<void> {
    const notes = this.connection.notes;
    const room = entry.room;
    const held = entry.notes;
    if (!notes || !room || entry.membership.state !== 'joined' || held.subscription.state !== 'idle') return;
    const generation = held.subscription.generation;
    held.subscription = { state: 'subscribing', generation };
    const stale = () => generation !== held.subscription.generation || !this.sessions.isOpen(entry);
    if (!held.cacheRead) {
      // A worker Chrome stopped may have left the room's notes and revision behind.
      held.cacheRead = true;
      const server = this.connection.url;
      const cached = server === null ? null : await this.cache.load(server, room);
      if (stale()) return;
      if (cached && held.revision === 0) {
        for (const note of cached.notes) this.applyNote(entry, note, false);
        this.caughtUp(entry, cached.revision);
      }
    }
    // Only the changes after the revision we hold, from whichever node we reached; with
    // nothing held, the whole room. Tabs that have no set yet get the whole one at the end
    // (from what we held and the changes); otherwise each change as it comes, as if it were
    // a note event.
    let whole = !held.shown;
    // Pages and note events are applied in the order they arrive, a note only over an older
    // revision of it, so a note changed while we page ends up as it is now.
    const result = await readAll(notes, this.subscribePayload(room, null, held.revision), (page) => {
      if (stale()) return;
      if (page.reset) {
        // Our revision is not one of this server's: what we hold is void.
        Object.assign(held, { notes: new Map(), revision: 0, seen: new Set(), gone: new Set() });
        whole = true;
      }
      for (const note of page.notes) this.applyNote(entry, note, !whole);
      for (const id of page.deleted) this.applyDeletion(entry, id, !whole);
    });
    if (stale()) {
      // The room closed while we subscribed (a private room's subscribe may have waited for its
      // key check past our unsubscribe): nobody wants its events now.
      if (result.ok && !this.sessions.byRoomId(room)) notes.emit('notes:unsubscribe', { room });
      return;
    }
    if (!result.ok) {
      held.subscription = { state: 'idle', generation };
      entry.error = serverErrorText(result.error);
      this.hooks.changed();
      return;
    }
    held.subscription = { state: 'subscribed', generation };
    this.caughtUp(entry, result.value.revision);
    if (whole) {
      this.sessions.broadcast(entry, { type: 'notes', room, notes: [...held.notes.values()] });
      held.shown = true;
    }
  }

  /** `/notes` connected (again): every joined room subscribes, from the revision it holds. */
  subscribeAll(): void {
    for (const entry of this.sessions.rooms.values()) void this.subscribe(entry);
  }

  /**
   * Runs `send` on `/notes` subscribed to `room` (an outbox op, which may belong to a room no
   * tab has open: subscribed with the op's kept key just for it, and unsubscribed after).
   * Null when not connected.
   */
  async whileSubscribed<T>(
    room: string,
    kept: string | null,
    send: (notes: NotesSocket) => Promise<Result<T>>,
  ): Promise<Result<T> | null> {
    const notes = this.connection.notes;
    if (!notes) return null;
    const open = () => this.sessions.byRoomId(room);
    if (open()?.notes.subscription.state !== 'subscribed') {
      const subscribed = await readAll(notes, this.subscribePayload(room, kept));
      if (!subscribed.ok) return subscribed;
    }
    const result = await send(notes);
    if (!open()) notes.emit('notes:unsubscribe', { room });
    return result;
  }

  /** The note as the server holds it now (null: deleted), for a conflict; null too when that cannot be read. */
  async current(room: string, kept: string | null, id: string): Promise<Note | null> {
    const notes = this.connection.notes;
    const read = notes ? await readAll(notes, this.subscribePayload(room, kept)) : null;
    // A note changed while the pages were read comes twice; the later one is newer.
    return read?.ok ? (read.value.notes.findLast((note) => note.id === id) ?? null) : null;
  }

  /** A tab joined a room we hold already: it gets the set at once (a catch-up in flight sends the rest as changes). */
  showTo(entry: OpenRoom, port: PortLike | null | undefined): void {
    const held = entry.notes;
    if ((held.subscription.state === 'subscribed' || held.revision > 0) && entry.room) {
      post(port, { type: 'notes', room: entry.room, notes: [...held.notes.values()] });
    }
  }

  /** A note event from the server. */
  noteChanged(event: NoteChanged): void {
    const entry = this.sessions.byRoomId(event.room);
    if (!entry) return;
    this.applyNote(entry, event.note);
    this.saw(entry, event.note.revision);
  }

  /** A deletion event from the server. */
  noteDeleted(event: NoteDeleted): void {
    const entry = this.sessions.byRoomId(event.room);
    if (!entry) return;
    this.applyDeletion(entry, event.id);
    this.saw(entry, event.revision);
  }

  /** The server stored one of our writes: the room's tabs see it now (others hear the event). */
  delivered(room: string, change: { note: Note } | { deleted: string; revision?: number | undefined }): void {
    const entry = this.sessions.byRoomId(room);
    if (!entry?.room) return;
    if ('note' in change) {
      this.applyNote(entry, change.note);
      this.saw(entry, change.note.revision);
    } else {
      this.applyDeletion(entry, change.deleted);
      this.saw(entry, change.revision);
    }
  }

  /** Keeps a note we were told of in passing (a conflict's current note) without showing it. */
  remember(entry: OpenRoom, note: Note): void {
    this.applyNote(entry, note, false);
  }

  /** `/notes` dropped: the server forgot every subscription; subscribe again on reconnect. */
  dropped(): void {
    for (const entry of this.sessions.rooms.values()) this.reset(entry);
  }

  /** The room closed (its last tab left): unsubscribe, and keep nothing of it. */
  close(entry: OpenRoom): void {
    // A subscribe still in flight is undone too: the server handles our events in order.
    if (entry.notes.subscription.state !== 'idle' && entry.room) {
      this.connection.notes?.emit('notes:unsubscribe', { room: entry.room });
    }
    const server = this.connection.url;
    // Not kept after we leave: storage.session is small, and an unsubscribed cache goes stale.
    if (server !== null && entry.room !== null) this.cache.forget(server, entry.room);
    this.reset(entry);
  }

  /** Another server: what we hold of its rooms means nothing there. */
  forgetAll(): void {
    for (const entry of this.sessions.rooms.values()) {
      this.reset(entry);
      Object.assign(entry.notes, { notes: new Map(), revision: 0, seen: new Set(), gone: new Set() });
      Object.assign(entry.notes, { cacheRead: false, shown: false });
    }
  }

  private reset(entry: OpenRoom): void {
    entry.notes.subscription = { state: 'idle', generation: entry.notes.subscription.generation + 1 };
  }

  /**
   * Keeps a note unless we hold it at the same or a newer revision, or it was deleted; tells
   * the room's tabs when `show`. Events, acks and pages may bring one note in any order.
   */
  private applyNote(entry: OpenRoom, note: Note, show = true): void {
    const held = entry.notes;
    if (held.gone.has(note.id)) return;
    const revision = held.notes.get(note.id)?.revision;
    if (revision !== undefined && note.revision !== undefined && note.revision <= revision) return;
    held.notes.set(note.id, note);
    this.keep(entry);
    if (show && entry.room) this.sessions.broadcast(entry, { type: 'note:upsert', room: entry.room, note });
  }

  /** Forgets a deleted note for good and, when `show`, takes it off the room's tabs. */
  private applyDeletion(entry: OpenRoom, id: string, show = true): void {
    const held = entry.notes;
    held.gone.add(id);
    if (held.gone.size > MAX_REMEMBERED) held.gone.delete(held.gone.values().next().value!);
    held.notes.delete(id);
    this.keep(entry);
    if (show && entry.room) this.sessions.broadcast(entry, { type: 'note:removed', room: entry.room, id });
  }

  /**
   * We applied the change of `revision` (a note event, or the ack of our own write). The
   * revision we hold moves over it only with no gap left: with several server nodes, events
   * can arrive out of revision order, and a gap is a change we have not seen.
   */
  private saw(entry: OpenRoom, revision: number | undefined): void {
    const held = entry.notes;
    if (revision === undefined || revision <= held.revision) return;
    if (held.seen.size >= MAX_REMEMBERED) held.seen.clear();
    held.seen.add(revision);
    while (held.seen.delete(held.revision + 1)) held.revision += 1;
    this.keep(entry);
  }

  /** A subscribe answered every change up to `revision`. */
  private caughtUp(entry: OpenRoom, revision: number): void {
    const held = entry.notes;
    held.revision = Math.max(held.revision, revision);
    for (const seen of held.seen) if (seen <= held.revision) held.seen.delete(seen);
    while (held.seen.delete(held.revision + 1)) held.revision += 1;
    this.keep(entry);
  }

  /** Something of the room's notes or revision changed: the cache keeps it for the next worker. */
  private keep(entry: OpenRoom): void {
    const server = this.connection.url;
    // Before the cache was read back, writing would replace it with less.
    if (server === null || entry.room === null || !entry.notes.cacheRead) return;
    this.cache.save(server, entry.room, () => ({
      revision: entry.notes.revision,
      notes: [...entry.notes.notes.values()],
    }));
  }
}

/**
 * Subscribes and reads every page of the room's changes after `payload.since` (the whole
 * room without it), in revision order. `onPage` sees each page as it arrives, before note
 * events that come after it, so a caller that applies both in arrival order ends up current
 * although notes change while it pages. Answers all pages joined: every note and deleted id
 * in order (a note changed while paging may be in `notes` twice, the later one newer), the
 * last page's `revision`, and `reset` if any page had it.
 */
async function readAll(
  socket: NotesSocket,
  payload: NotesSubscribe,
  onPage?: (page: NotesChanges) => void,
): Promise<Result<NotesChanges>> {
  const timed = () => socket.timeout(ACK_TIMEOUT_MS);
  let page = await patiently(() =>
    request(() => timed().emitWithAck('notes:subscribe', payload), NotesChanges),
  );
  const all: NotesChanges = { notes: [], deleted: [], next: null, revision: 0, reset: false };
  for (;;) {
    if (!page.ok) return page;
    const { notes, deleted, next, revision, reset } = page.value;
    all.notes.push(...notes);
    all.deleted.push(...deleted);
    all.revision = revision;
    all.reset ||= reset;
    onPage?.(page.value);
    if (next === null) return ok(all);
    page = await patiently(() =>
      request(() => timed().emitWithAck('notes:page', { room: payload.room, after: next }), NotesChanges),
    );
  }
}
