/**
 * Reading a room's notes the way a client must now that answers are paged: `notes:subscribe` answers
 * the first bounded page of changes, `notes:page` each following one until `next` is null.
 */
import type { Note, NotesChanges, Result } from '../../protocol/index.js';
import { ask, type NotesClient } from './clients.js';

function pageOf(result: unknown): NotesChanges {
  const r = result as Result<NotesChanges>;
  if (!r.ok) throw new Error(`expected a page, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Subscribes (with `key` for a private room) and resolves with every page, in order. */
export async function allPages(socket: NotesClient, room: string, key?: string): Promise<NotesChanges[]> {
  const pages = [pageOf(await ask(socket, 'notes:subscribe', key === undefined ? { room } : { room, key }))];
  for (let next = pages[0]!.next; next !== null; next = pages[pages.length - 1]!.next) {
    pages.push(pageOf(await ask(socket, 'notes:page', { room, after: next })));
  }
  return pages;
}

/** Subscribes and resolves with all of the room's notes, oldest first. */
export async function allNotes(socket: NotesClient, room: string, key?: string): Promise<Note[]> {
  return (await allPages(socket, room, key)).flatMap((page) => page.notes);
}
