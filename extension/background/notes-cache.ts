/**
 * The worker's notes of each room it is in, mirrored to `storage.session` with the room's
 * revision they are whole up to. Chrome stops an idle worker; the next one reads
 * this back and asks the server only for the changes since that revision instead of whole
 * rooms. Notes and revision are written together, so what is read back is always a state the
 * room really had (plus, at most, some newer changes, which a catch-up sends again).
 *
 * `storage.session` lives in memory, is cleared with the browser session and holds 10 MB for
 * the extension, so a room whose notes are over {@link MAX_CACHED_CHARS} is not kept (a
 * restarted worker reads it whole), a room is dropped once we leave it, and a write the quota
 * refuses leaves the last one, which is older but still consistent.
 */
import { z } from 'zod';
import { Note, Revision } from '../../protocol/index.js';
import type { StorageAreaLike } from '../chrome-api.js';

/** JSON characters of one room's notes that are kept at most. */
export const MAX_CACHED_CHARS = 1024 * 1024;

/** A burst of changes is one write, this long after the first of them. */
const SAVE_DELAY_MS = 1_000;

/** What is kept of a room: every change up to `revision` is in `notes`. */
export const CachedRoom = z.object({ revision: Revision, notes: z.array(Note) });
export type CachedRoom = z.infer<typeof CachedRoom>;

/** One key per server and room: revisions of one server mean nothing on another. */
const keyOf = (server: string, room: string) => `notes:${server}|${room}`;

export class NotesCache {
  /** Rooms changed since the last write, and how to read them when it happens. */
  private readonly pending = new Map<string, () => CachedRoom | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly area: StorageAreaLike) {}

  /** What a previous worker kept of the room on that server, or null. */
  async load(server: string, room: string): Promise<CachedRoom | null> {
    const key = keyOf(server, room);
    try {
      // Written by older versions too: parsed like anything else from outside.
      const parsed = CachedRoom.safeParse((await this.area.get(key))[key]);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Keeps what `read` answers when the write happens (within {@link SAVE_DELAY_MS}). */
  save(server: string, room: string, read: () => CachedRoom): void {
    this.pending.set(keyOf(server, room), read);
    this.timer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** The room was left: nothing of it is kept. */
  forget(server: string, room: string): void {
    this.pending.set(keyOf(server, room), () => null);
    this.timer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Writes what is pending now; resolves once it is written (or refused). */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const writes: Record<string, CachedRoom | null> = {};
    for (const [key, read] of this.pending) {
      const room = read();
      // StorageArea has no remove in our seam; null reads back as nothing kept.
      writes[key] = room !== null && JSON.stringify(room.notes).length <= MAX_CACHED_CHARS ? room : null;
    }
    this.pending.clear();
    if (Object.keys(writes).length === 0) return;
    await this.area.set(writes).catch(() => undefined);
  }
}
