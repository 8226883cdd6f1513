/**
 * Several-node mode: a node brings its own /notes subscribers up to date after note events
 * were lost between nodes (Redis away, hung, or a publish made while a node was still
 * resubscribing). A subscriber that never disconnected would otherwise never ask for them.
 *
 * Revisions of a room are gap-free (note-store.ts), and every change is broadcast once, so per
 * room with subscribers here the node keeps the revision up to which its subscribers got
 * every change (`upTo`: the first subscriber's page, then each event passing this node
 * extends it) and the revisions heard above a gap. A room is mended (its changes after
 * `upTo` read from the store, and those not heard sent to this node's subscribers only)
 * when a gap stays open {@link GAP_MEND_MS}, and every room a few seconds after Redis is back.
 * A client may get a change twice (a subscribe's page and a mend); clients apply a note only
 * over an older revision of it (docs/PROTOCOL.md).
 */
import { parseRoomId, LIMITS, type Note } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { NotesNamespace } from '../socket-types.js';
import type { NoteStore } from '../store/note-store.js';
import { MEND_AFTER_MS } from './redis-presence.js';
import type { RedisLink } from './redis-link.js';
import type { RemoteBroadcast } from './sharded-adapter.js';

/** A gap open this long means a broadcast was lost, not just late: the room is mended. */
export const GAP_MEND_MS = 2_000;
/** Revisions heard above a gap, per room, at most: past it the room is mended at once. */
const MAX_HEARD = 1_024;

/**
 * `opening`: subscribed here, no page read yet (nothing known to mend from);
 * `known`: `upTo` is what every subscriber here has.
 */
type WatchState = 'opening' | 'known';

interface Watch {
  state: WatchState;
  upTo: number;
  /** Revisions heard above `upTo + 1`, waiting for the gap below them to close. */
  heard: Set<number>;
  /** When the oldest open gap was seen (ms), null without one. */
  gapSince: number | null;
  /** Mend wanted (Redis came back) or running. */
  mend: 'none' | 'wanted' | 'running';
}

type Payload = { room?: unknown; note?: { revision?: unknown }; revision?: unknown } | undefined;

const NOTE_EVENTS = new Set(['note:created', 'note:updated', 'note:deleted']);

export class NotesMend {
  private readonly watches = new Map<string, Watch>();
  private readonly timer: NodeJS.Timeout;
  private mendTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly nsp: NotesNamespace,
    private readonly store: NoteStore,
    link: RedisLink,
    private readonly logger: Logger,
  ) {
    const adapter = nsp.adapter;
    adapter.on('create-room', (room: string) => {
      if (parseRoomId(room) !== null && !this.watches.has(room)) {
        this.watches.set(room, { state: 'opening', upTo: 0, heard: new Set(), gapSince: null, mend: 'none' });
      }
    });
    adapter.on('delete-room', (room: string) => this.watches.delete(room));
    // This node's own broadcasts (remote ones reach {@link heard} from the adapter).
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet: { data?: unknown[] }, opts) => {
      if (Array.isArray(packet.data)) this.observe(packet.data);
      broadcast(packet, opts);
    };
    this.unsubscribe = link.onChange((state) => {
      if (state !== 'up') return;
      // Every node resubscribes on its own schedule: publishes made meanwhile are lost too.
      if (this.mendTimer) clearTimeout(this.mendTimer);
      this.mendTimer = setTimeout(() => {
        this.mendTimer = null;
        for (const watch of this.watches.values()) if (watch.mend === 'none') watch.mend = 'wanted';
      }, MEND_AFTER_MS);
      this.mendTimer.unref();
    });
    this.timer = setInterval(() => this.check(), GAP_MEND_MS / 4);
    this.timer.unref();
  }

  /** A broadcast another node published: never taken over, only noted. */
  heard({ nsp, data }: RemoteBroadcast): boolean {
    if (nsp === this.nsp.name) this.observe(data);
    return false;
  }

  /** A subscribe's page reached `revision`: the first one here says what the room's subscribers have. */
  served(room: string, revision: number): void {
    const watch = this.watches.get(room);
    if (!watch || watch.state !== 'opening') return;
    watch.state = 'known';
    this.advance(watch, revision);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.mendTimer) clearTimeout(this.mendTimer);
    this.unsubscribe();
  }

  private observe(data: unknown[]): void {
    const event = data[0];
    if (typeof event !== 'string' || !NOTE_EVENTS.has(event)) return;
    const payload = data[1] as Payload;
    const revision = event === 'note:deleted' ? payload?.revision : payload?.note?.revision;
    if (typeof payload?.room !== 'string' || typeof revision !== 'number') return;
    const watch = this.watches.get(payload.room);
    if (!watch || revision <= watch.upTo) return;
    // Bounded whatever happens (no page read yet, the store away): a mend from `upTo` covers it.
    if (watch.heard.size >= 4 * MAX_HEARD) {
      watch.heard.clear();
      if (watch.mend === 'none') watch.mend = 'wanted';
    }
    watch.heard.add(revision);
    if (watch.state === 'known') this.advance(watch, watch.upTo);
  }

  /** `upTo` becomes at least `revision`, then runs on through the revisions heard. */
  private advance(watch: Watch, revision: number): void {
    watch.upTo = Math.max(watch.upTo, revision);
    for (const heard of watch.heard) if (heard <= watch.upTo) watch.heard.delete(heard);
    while (watch.heard.delete(watch.upTo + 1)) watch.upTo += 1;
    if (watch.heard.size === 0) watch.gapSince = null;
    else watch.gapSince ??= performance.now();
  }

  private check(): void {
    const now = performance.now();
    for (const [room, watch] of this.watches) {
      if (watch.state !== 'known' || watch.mend === 'running') continue;
      const gapOpen =
        watch.gapSince !== null && (now - watch.gapSince > GAP_MEND_MS || watch.heard.size > MAX_HEARD);
      if (watch.mend === 'wanted' || gapOpen) void this.mend(room, watch);
    }
  }

  /** Sends this node's subscribers of `room` the changes after `upTo` they were not sent. */
  private async mend(room: string, watch: Watch): Promise<void> {
    watch.mend = 'running';
    try {
      let after = watch.upTo;
      for (;;) {
        const page = await this.store.changes(room, after, {
          maxNotes: LIMITS.notesPerPage,
          maxBytes: LIMITS.pageBytes,
        });
        // The room was emptied here meanwhile, or its revisions are not this store's.
        if (this.watches.get(room) !== watch || page.reset) return;
        const local = this.nsp.local.to(room);
        for (const note of page.notes) {
          if (note.revision !== undefined && watch.heard.has(note.revision)) continue;
          local.emit(eventOf(note), { room, note });
        }
        for (const id of page.deleted) local.emit('note:deleted', { room, id });
        if (page.next === null) {
          this.advance(watch, page.revision);
          return;
        }
        after = page.next;
      }
    } catch (error) {
      // Store away: tried again at the next check.
      this.logger.debug({ err: error, room }, 'notes mend failed');
      if (this.watches.get(room) === watch) watch.mend = 'wanted';
      return;
    } finally {
      if (watch.mend === 'running') watch.mend = 'none';
    }
  }
}

/** A mended note as its first event would have said it: created at version 1, updated after. */
const eventOf = (note: Note) => (note.version === 1 ? 'note:created' : 'note:updated');
