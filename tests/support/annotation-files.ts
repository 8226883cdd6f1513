/**
 * Whole W3C annotation files over `/notes`, as a client must handle them: `notes:export`
 * answers one bounded page at a time (follow `first.next`), and `notes:import` takes at most
 * one 64 KiB message and one note budget at a time (send the file in pieces, each again after
 * `retryAfterMs` until nothing `remaining`).
 */
import type { AnnotationCollection, NotesImported, Result, WebAnnotation } from '../../protocol/index.js';
import { ask, type NotesClient } from './clients.js';

/** Under the server's 64 KiB message limit, with room for the request around the items. */
const PIECE_BYTES = 48 * 1024;

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Every page of the room's export, in order. */
export async function exportPages(socket: NotesClient, room: string): Promise<AnnotationCollection[]> {
  const pages = [value<AnnotationCollection>(await ask(socket, 'notes:export', { room }))];
  for (let next = pages[0]!.first.next; next !== undefined; next = pages[pages.length - 1]!.first.next) {
    pages.push(value<AnnotationCollection>(await ask(socket, 'notes:export', { room, after: next })));
  }
  return pages;
}

/** The pages joined into one file: the first page's collection holding every item. */
export function joinPages(pages: readonly AnnotationCollection[]): AnnotationCollection {
  const items: WebAnnotation[] = pages.flatMap((page) => page.first.items);
  const first: AnnotationCollection['first'] = { ...pages[0]!.first, startIndex: 0, items };
  // One file has no next page.
  delete first.next;
  return { ...pages[0]!, total: items.length, first };
}

/** Imports a file of any size in file order; answers every piece's last answer. */
export async function importFile(
  socket: NotesClient,
  room: string,
  file: AnnotationCollection,
): Promise<NotesImported[]> {
  const pieces: WebAnnotation[][] = [[]];
  let bytes = 0;
  for (const item of file.first.items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (bytes + size > PIECE_BYTES && pieces[pieces.length - 1]!.length > 0) {
      pieces.push([]);
      bytes = 0;
    }
    pieces[pieces.length - 1]!.push(item);
    bytes += size;
  }
  const answers: NotesImported[] = [];
  for (const items of pieces) {
    const collection = { type: 'AnnotationCollection', items };
    let answer = value<NotesImported>(await ask(socket, 'notes:import', { room, collection }));
    while (answer.remaining > 0) {
      // The server says when its note budget covers the rest; nothing else announces it.
      await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs));
      answer = value<NotesImported>(await ask(socket, 'notes:import', { room, collection }));
    }
    answers.push(answer);
  }
  return answers;
}
