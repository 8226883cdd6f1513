/**
 * A room's notes in bounded pieces (issue 10). The server answers `notes:subscribe` with a
 * first page and `notes:page` with each next one, exports one page per `notes:export`, and
 * stores an import only as fast as the socket's note budget allows. These functions do the
 * repeating, so the rest of the worker sees whole rooms and whole files.
 */
import { z } from 'zod';
import {
  fail,
  MAX_IMPORT_ITEMS,
  NotesChanges,
  NotesImported,
  ok,
  type NotesSubscribe,
  type Result,
} from '../../protocol/index.js';
import { ACK_TIMEOUT_MS, request, type NotesSocket } from './connection.js';

/**
 * A page is refused `rate_limited` while our earlier answers are still on their way (or the
 * socket's budget is spent): ask again after this long, this many times at most.
 */
const RETRY_MS = 500;
const RETRIES = 20;

/** One notes:import request stays this far under the server's 64 KiB message limit. */
const IMPORT_CHUNK_BYTES = 48 * 1024;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a request again while it is refused `rate_limited`, a bounded number of times. */
async function patiently<T>(send: () => Promise<Result<T>>): Promise<Result<T>> {
  for (let attempt = 0; ; attempt++) {
    const result = await send();
    if (result.ok || result.error.code !== 'rate_limited' || attempt === RETRIES) return result;
    await wait(RETRY_MS);
  }
}

/**
 * Subscribes to a room and reads every page of its changes after `payload.since` (the whole
 * room without it), in revision order (issue 12). `onPage` sees each page as it arrives,
 * before note events that come after it, so a caller that applies both in arrival order ends
 * up current although notes change while it pages. Answers all pages joined: every note and
 * deleted id in order (a note changed while paging may be in `notes` twice, the later one
 * newer), the last page's `revision`, and `reset` if any page had it.
 */
export async function subscribeAll(
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

/** Every page of `notes:export` joined into one AnnotationCollection, as one file holds it. */
export async function exportAll(socket: NotesSocket, room: string): Promise<Result<unknown>> {
  const Page = z.looseObject({
    first: z.looseObject({ items: z.array(z.unknown()), next: z.string().optional() }),
  });
  const items: unknown[] = [];
  let collection: z.infer<typeof Page> | null = null;
  let after: string | undefined;
  do {
    const payload = after === undefined ? { room } : { room, after };
    const page = await patiently(() =>
      request(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:export', payload), Page),
    );
    if (!page.ok) return page;
    collection ??= page.value;
    items.push(...page.value.first.items);
    after = page.value.first.next;
  } while (after !== undefined);
  const first: Record<string, unknown> = { ...collection.first, startIndex: 0, items };
  delete first.next;
  return ok({ ...collection, total: items.length, first });
}

/** What one import adds up to over all its requests. */
export type ImportCounts = Pick<NotesImported, 'created' | 'unchanged' | 'skipped'>;

const ImportFile = z
  .looseObject({
    items: z.array(z.unknown()).optional(),
    first: z.looseObject({ items: z.array(z.unknown()) }).optional(),
  })
  .transform((c) => c.first?.items ?? c.items ?? []);

/** Whether an annotation is a reply (its target is another annotation), so it goes after the notes. */
function isReply(item: unknown): boolean {
  const target = (item as { target?: unknown } | null)?.target;
  const one: unknown = Array.isArray(target) ? target[0] : target;
  return typeof one === 'string' || (typeof one === 'object' && one !== null && !('source' in one));
}

/** The items in requests under the message limit; notes before replies so a parent goes first. */
function chunks(items: unknown[]): unknown[][] {
  const ordered = [...items.filter((i) => !isReply(i)), ...items.filter(isReply)];
  const out: unknown[][] = [];
  let chunk: unknown[] = [];
  let bytes = 0;
  for (const item of ordered) {
    const size = new TextEncoder().encode(JSON.stringify(item)).length + 1;
    if (chunk.length > 0 && (bytes + size > IMPORT_CHUNK_BYTES || chunk.length === MAX_IMPORT_ITEMS)) {
      out.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/**
 * Imports a W3C AnnotationCollection of any size: in requests under the message limit, each
 * sent again (after the server's `retryAfterMs`) until the server stored all of it. What is
 * stored already counts as unchanged the next time, so repeating is safe.
 */
export async function importAll(
  socket: NotesSocket,
  room: string,
  collection: unknown,
): Promise<Result<ImportCounts>> {
  const file = ImportFile.safeParse(collection);
  if (!file.success) return fail('invalid', 'not a W3C AnnotationCollection');
  const total: ImportCounts = { created: 0, unchanged: 0, skipped: 0 };
  for (const items of chunks(file.data)) {
    const payload = { room, collection: { type: 'AnnotationCollection', items } };
    // Notes this chunk stored in earlier passes; the last pass counts them as unchanged.
    let createdBefore = 0;
    for (;;) {
      const result = await patiently(() =>
        request(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:import', payload), NotesImported),
      );
      if (!result.ok) {
        if (total.created === 0) return result;
        return fail(result.error.code, `${total.created} notes imported, then: ${result.error.message}`);
      }
      total.created += result.value.created;
      if (result.value.remaining === 0) {
        total.unchanged += result.value.unchanged - createdBefore;
        total.skipped += result.value.skipped;
        break;
      }
      createdBefore += result.value.created;
      await wait(result.value.retryAfterMs);
    }
  }
  return ok(total);
}
